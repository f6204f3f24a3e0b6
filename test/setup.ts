import '../src/node/index.js';
