// SCALE-Sim v2 and v3 `.cfg` files (Python configparser syntax) → a validated SystolicConfig and,
// for v3, its request buffers, [layout] and [sparsity] sections. A file is v3 when it holds any of
// v3's additions; a v2 file reads exactly as before. Unlike SCALE-Sim, which warns and carries on,
// every problem is an error naming the file, the key and what was expected.
import { placeInMessage, UserError, type UserErrorPlace } from '../base/errors.js';
import { ramulatorNotRead } from './ramulator.js';
import type { ConvLayer, Dataflow, ScalesimV3Config, ScalesimVersion, SparsityConfig, SystolicConfig } from './types.js';

/** A bad SCALE-Sim config or systolic target; a file's messages begin with 'file:line:', which gives the place. */
export class ConfigError extends UserError {
  override name = 'ConfigError';
  constructor(message: string, place: UserErrorPlace = placeInMessage(message)) {
    super(message, place);
  }
}

// Upper bounds of the sizes the wasm core takes as 32-bit integers: buffer words (1024 per KiB) and
// Bandwidth below 2^31; array sides far beyond any built array, so that a fold's lines stay in range.
export const MAX_ARRAY_SIDE = 65536;
export const MAX_SRAM_KIB = Math.floor((2 ** 31 - 1) / 1024);
export const MAX_BANDWIDTH = 2 ** 31 - 1;
const MAX: Record<'rows' | 'cols' | 'ifmapSramKiB' | 'filterSramKiB' | 'ofmapSramKiB' | 'bandwidthWordsPerCycle', number> = {
  rows: MAX_ARRAY_SIDE, cols: MAX_ARRAY_SIDE,
  ifmapSramKiB: MAX_SRAM_KIB, filterSramKiB: MAX_SRAM_KIB, ofmapSramKiB: MAX_SRAM_KIB,
  bandwidthWordsPerCycle: MAX_BANDWIDTH,
};

/** Checks a config built in code (CLI overrides, co-design agents) the way a file is checked. */
export function validateConfig(config: SystolicConfig, where = 'config'): SystolicConfig {
  for (const key of ['rows', 'cols', 'ifmapSramKiB', 'filterSramKiB', 'ofmapSramKiB', 'bandwidthWordsPerCycle'] as const) {
    const value = config[key];
    if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${where}: ${key} must be a positive integer, got ${value}`, { field: key });
    if (value > MAX[key]) throw new ConfigError(`${where}: ${key} must be at most ${MAX[key]}, got ${value}`, { field: key });
  }
  for (const key of ['ifmapOffset', 'filterOffset', 'ofmapOffset'] as const) {
    if (!Number.isSafeInteger(config[key])) throw new ConfigError(`${where}: ${key} must be an integer, got ${config[key]}`, { field: key });
  }
  if (!['os', 'ws', 'is'].includes(config.dataflow)) throw new ConfigError(`${where}: dataflow must be os, ws or is, got '${config.dataflow}'`, { field: 'dataflow' });
  if (config.interfaceBandwidth !== 'CALC' && config.interfaceBandwidth !== 'USER') {
    throw new ConfigError(`${where}: interfaceBandwidth must be CALC or USER, got '${config.interfaceBandwidth}'`);
  }
  return Object.freeze({ ...config });
}

// Keys v2 reads, lower-cased as configparser does, with the section each lives in.
const KNOWN: Record<string, readonly string[]> = {
  general: ['run_name'],
  architecture_presets: [
    'arrayheight', 'arraywidth', 'ifmapsramszkb', 'filtersramszkb', 'ofmapsramszkb',
    'ifmapoffset', 'filteroffset', 'ofmapoffset', 'dataflow', 'bandwidth', 'memorybanks',
  ],
  run_presets: ['interfacebandwidth'],
  network_presets: ['topologycsvloc'],
};

// What SCALE-Sim v3 adds: two sections and three keys. Any of them marks a file as v3.
const V3_ADDED: Record<string, readonly string[]> = {
  architecture_presets: ['readrequestbuffer', 'writerequestbuffer'],
  run_presets: ['useramulatortrace'],
  layout: [
    'ifmapcustomlayout', 'ifmapsrambankbandwidth', 'ifmapsrambanknum', 'ifmapsrambankport',
    'filtercustomlayout', 'filtersrambankbandwidth', 'filtersrambanknum', 'filtersrambankport',
  ],
  sparsity: ['sparsitysupport', 'sparserep', 'optimizedmapping', 'blocksize', 'randomnumbergeneratorseed'],
};
const KNOWN_V3: Record<string, readonly string[]> = Object.fromEntries(
  [...new Set([...Object.keys(KNOWN), ...Object.keys(V3_ADDED)])].map((sec) => [sec, [...(KNOWN[sec] ?? []), ...(V3_ADDED[sec] ?? [])]]),
);

export interface Entry {
  value: string;
  line: number;
  key: string; // as written in the file
}

/** A parsed `.cfg`: which release it is written for, the array it describes, and v3's additions. */
export interface ScalesimConfigFile {
  readonly version: ScalesimVersion;
  readonly config: SystolicConfig;
  /** Present for v3 files only. */
  readonly v3?: ScalesimV3Config;
}

export interface ParseConfigOptions {
  /** Read the file as this release; by default a file with any v3 section or key is v3, any other v2. */
  version?: ScalesimVersion;
}

/** Parses the text of a SCALE-Sim `.cfg` into the array it describes (v3's additions: parseScalesimConfig). */
export function parseConfig(text: string, file = '<config>', options: ParseConfigOptions = {}): SystolicConfig {
  return parseScalesimConfig(text, file, options).config;
}

/** configparser's sections of a `.cfg` (keys lower-cased), with the line of each section's first header. */
export function cfgSections(text: string, file: string): { sections: Map<string, Map<string, Entry>>; headers: Map<string, number> } {
  const sections = new Map<string, Map<string, Entry>>();
  const headers = new Map<string, number>();
  let section: Map<string, Entry> | undefined;
  let sectionName = '';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      sectionName = header[1]!.trim();
      if (!headers.has(sectionName)) headers.set(sectionName, line);
      section = sections.get(sectionName) ?? new Map();
      sections.set(sectionName, section);
      return;
    }
    const match = /^([^:=]+?)\s*[:=]\s*(.*)$/.exec(trimmed);
    if (!match) throw new ConfigError(`${file}:${line}: expected 'key : value' or 'key = value', got '${trimmed}'`);
    if (!section) throw new ConfigError(`${file}:${line}: key '${match[1]}' appears before any [section]`);
    const key = match[1]!.toLowerCase();
    if (section.has(key)) throw new ConfigError(`${file}:${line}: key '${match[1]}' given twice in [${sectionName}]`);
    section.set(key, { value: match[2]!.trim(), line, key: match[1]! });
  });
  return { sections, headers };
}

/** Parses the text of a SCALE-Sim v2 or v3 `.cfg`. `file` names it in errors. */
export function parseScalesimConfig(text: string, file = '<config>', options: ParseConfigOptions = {}): ScalesimConfigFile {
  const { sections, headers } = cfgSections(text, file);

  const looksV3 = [...sections].some(([sec, keys]) => sec === 'layout' || sec === 'sparsity' || [...keys.keys()].some((k) => V3_ADDED[sec]?.includes(k)));
  const version: ScalesimVersion = options.version ?? (looksV3 ? 3 : 2);
  const known = version === 3 ? KNOWN_V3 : KNOWN;
  for (const [sec, keys] of sections) {
    if (!(sec in known)) {
      const hint = version === 2 && sec in V3_ADDED ? ' (a SCALE-Sim v3 section: read the file as v3)' : '';
      throw new ConfigError(`${file}:${headers.get(sec)}: unknown section [${sec}]; expected one of ${Object.keys(known).map((s) => `[${s}]`).join(', ')}${hint}`);
    }
    for (const [key, entry] of keys) {
      if (!known[sec]!.includes(key)) {
        const hint = version === 2 && V3_ADDED[sec]?.includes(key) ? ' (a SCALE-Sim v3 key: read the file as v3)' : '';
        throw new ConfigError(`${file}:${entry.line}: unknown key '${entry.key}' in [${sec}]; SCALE-Sim v${version} reads ${known[sec]!.join(', ')}${hint}`);
      }
    }
  }

  const get = (sec: string, key: string, display: string): Entry => {
    const entry = sections.get(sec)?.get(key);
    if (!entry) throw new ConfigError(`${file}: missing key '${display}' in [${sec}]`);
    return entry;
  };
  const intOf = (entry: Entry, display: string, positive: boolean, max = Number.MAX_SAFE_INTEGER): number => {
    if (!/^[+-]?\d+$/.test(entry.value)) throw new ConfigError(`${file}:${entry.line}: ${display} must be an integer, got '${entry.value}'`);
    const value = Number(entry.value);
    if (positive && value <= 0) throw new ConfigError(`${file}:${entry.line}: ${display} must be a positive integer, got ${value}`);
    if (!Number.isSafeInteger(value) || value > max) throw new ConfigError(`${file}:${entry.line}: ${display} must be at most ${max}, got ${entry.value}`);
    return value;
  };
  const int = (sec: string, key: string, display: string, positive: boolean, max = Number.MAX_SAFE_INTEGER): number =>
    intOf(get(sec, key, display), display, positive, max);

  const mode = get('run_presets', 'interfacebandwidth', 'InterfaceBandwidth');
  if (mode.value !== 'CALC' && mode.value !== 'USER') {
    throw new ConfigError(`${file}:${mode.line}: InterfaceBandwidth must be CALC or USER, got '${mode.value}'`);
  }
  const df = get('architecture_presets', 'dataflow', 'Dataflow');
  if (!['os', 'ws', 'is'].includes(df.value)) {
    // SCALE-Sim prints a warning and silently runs the layer as OS.
    throw new ConfigError(`${file}:${df.line}: Dataflow must be os, ws or is, got '${df.value}'`);
  }
  let bandwidth = 10;
  const bw = sections.get('architecture_presets')?.get('bandwidth');
  if (mode.value === 'USER') {
    if (!bw) throw new ConfigError(`${file}: missing key 'Bandwidth' in [architecture_presets] (required when InterfaceBandwidth is USER)`);
    // v2 accepts a comma list and uses the first value for all three operands (v3: for the ofmap).
    const first = bw.value.split(',')[0]!.trim();
    if (!/^[+-]?\d+$/.test(first) || Number(first) <= 0 || Number(first) > MAX_BANDWIDTH) {
      throw new ConfigError(`${file}:${bw.line}: Bandwidth must be a positive integer (words per cycle) of at most ${MAX_BANDWIDTH}, got '${bw.value}'`);
    }
    bandwidth = Number(first);
  }
  const config = validateConfig(
    {
      runName: get('general', 'run_name', 'run_name').value,
      rows: int('architecture_presets', 'arrayheight', 'ArrayHeight', true, MAX_ARRAY_SIDE),
      cols: int('architecture_presets', 'arraywidth', 'ArrayWidth', true, MAX_ARRAY_SIDE),
      ifmapSramKiB: int('architecture_presets', 'ifmapsramszkb', 'IfmapSramSzkB', true, MAX_SRAM_KIB),
      filterSramKiB: int('architecture_presets', 'filtersramszkb', 'FilterSramSzkB', true, MAX_SRAM_KIB),
      ofmapSramKiB: int('architecture_presets', 'ofmapsramszkb', 'OfmapSramSzkB', true, MAX_SRAM_KIB),
      ifmapOffset: int('architecture_presets', 'ifmapoffset', 'IfmapOffset', false),
      filterOffset: int('architecture_presets', 'filteroffset', 'FilterOffset', false),
      ofmapOffset: int('architecture_presets', 'ofmapoffset', 'OfmapOffset', false),
      dataflow: df.value as Dataflow,
      interfaceBandwidth: mode.value,
      bandwidthWordsPerCycle: bandwidth,
    },
    file,
  );
  if (version === 2) return Object.freeze({ version, config });
  return Object.freeze({ version, config, v3: parseV3Additions(sections, file, config, intOf) });
}

// v3's own defaults (scale_config's constructor), for keys a v3 file leaves out (and SimulatorOptions.sparsity).
export const V3_DEFAULTS = {
  readRequestBuffer: 60, writeRequestBuffer: 60, bankBandwidth: 10, banks: 10, ports: 2, blockSize: 4, randomSeed: 40,
} as const;

function parseV3Additions(
  sections: Map<string, Map<string, Entry>>,
  file: string,
  config: SystolicConfig,
  intOf: (entry: Entry, display: string, positive: boolean, max?: number) => number,
): ScalesimV3Config {
  const defaulted: string[] = [];
  const find = (sec: string, display: string): Entry | undefined => {
    const entry = sections.get(sec)?.get(display.toLowerCase());
    if (!entry) defaulted.push(`[${sec}] ${display}`);
    return entry;
  };
  const int = (sec: string, display: string, fallback: number, max = MAX_BANDWIDTH): number => {
    const entry = find(sec, display);
    return entry ? intOf(entry, display, true, max) : fallback;
  };
  // configparser's getboolean, which v3 uses for the layout flags.
  const configparserBool = (sec: string, display: string): boolean => {
    const entry = find(sec, display);
    if (!entry) return false;
    const v = entry.value.toLowerCase();
    if (['1', 'yes', 'true', 'on'].includes(v)) return true;
    if (['0', 'no', 'false', 'off'].includes(v)) return false;
    throw new ConfigError(`${file}:${entry.line}: ${display} must be True or False (or yes/no, on/off, 1/0), got '${entry.value}'`);
  };
  // v3 compares the sparsity flags' lower case with 'true': anything else is off, so 'yes' would silently be off.
  const trueFalse = (sec: string, display: string): boolean => {
    const entry = find(sec, display);
    if (!entry) return false;
    const v = entry.value.toLowerCase();
    if (v === 'true' || v === 'false') return v === 'true';
    throw new ConfigError(`${file}:${entry.line}: ${display} must be true or false (SCALE-Sim v3 reads anything else as false), got '${entry.value}'`);
  };
  const bank = (op: 'Ifmap' | 'Filter') => Object.freeze({
    customLayout: configparserBool('layout', `${op}CustomLayout`),
    bankBandwidth: int('layout', `${op}SRAMBankBandwidth`, V3_DEFAULTS.bankBandwidth),
    banks: int('layout', `${op}SRAMBankNum`, V3_DEFAULTS.banks),
    ports: int('layout', `${op}SRAMBankPort`, V3_DEFAULTS.ports),
  });

  const readRequestBuffer = int('architecture_presets', 'ReadRequestBuffer', V3_DEFAULTS.readRequestBuffer);
  const writeRequestBuffer = int('architecture_presets', 'WriteRequestBuffer', V3_DEFAULTS.writeRequestBuffer);
  let useRamulatorTrace = false;
  const ramulator = find('run_presets', 'UseRamulatorTrace');
  if (ramulator) {
    // v3 turns it on for exactly 'True': 'true' would silently be off.
    if (ramulator.value !== 'True' && ramulator.value !== 'False') {
      throw new ConfigError(`${file}:${ramulator.line}: UseRamulatorTrace must be True or False (SCALE-Sim v3 reads only 'True' as on), got '${ramulator.value}'`);
    }
    useRamulatorTrace = ramulator.value === 'True';
  }
  const layout = Object.freeze({ ifmap: bank('Ifmap'), filter: bank('Filter') });
  // v3 gives each bank an equal share of the operand's read bandwidth and stops (an assertion) when
  // the banks do not divide it: the bank bandwidth in USER mode, its fixed 10 words/cycle in CALC.
  for (const op of ['Ifmap', 'Filter'] as const) {
    const b = layout[op === 'Ifmap' ? 'ifmap' : 'filter'];
    const [total, what] = config.interfaceBandwidth === 'USER' ? [b.bankBandwidth, `${op}SRAMBankBandwidth (${b.bankBandwidth})`] : [10, 'the 10 words per cycle SCALE-Sim v3 reads at in CALC mode'];
    if (total % b.banks !== 0) {
      const entry = sections.get('layout')?.get(`${op.toLowerCase()}srambanknum`);
      throw new ConfigError(`${file}${entry ? `:${entry.line}` : ''}: ${op}SRAMBankNum (${b.banks}) must divide ${what}: SCALE-Sim v3 gives every bank an equal share`);
    }
  }

  const support = trueFalse('sparsity', 'SparsitySupport');
  let sparsity: SparsityConfig = { support, optimizedMapping: false };
  if (support) {
    // v3 reads the other sparsity keys only when SparsitySupport is on.
    const rep = find('sparsity', 'SparseRep');
    if (!rep) throw new ConfigError(`${file}: missing key 'SparseRep' in [sparsity] (required when SparsitySupport is true)`);
    if (rep.value !== 'csr' && rep.value !== 'csc' && rep.value !== 'ellpack_block') {
      throw new ConfigError(`${file}:${rep.line}: SparseRep must be csr, csc or ellpack_block, got '${rep.value}'`);
    }
    const optimizedMapping = trueFalse('sparsity', 'OptimizedMapping');
    let blockSize: number | undefined;
    if (optimizedMapping) {
      blockSize = int('sparsity', 'BlockSize', V3_DEFAULTS.blockSize);
      if (blockSize > config.rows) {
        const entry = sections.get('sparsity')!.get('blocksize')!;
        throw new ConfigError(`${file}:${entry.line}: BlockSize must be at most ArrayHeight (${config.rows}), got ${blockSize}`);
      }
    }
    const seedEntry = find('sparsity', 'RandomNumberGeneratorSeed');
    // numpy's seeds are 32-bit unsigned.
    const randomSeed = seedEntry ? intOf(seedEntry, 'RandomNumberGeneratorSeed', false, 2 ** 32 - 1) : V3_DEFAULTS.randomSeed;
    if (randomSeed < 0) throw new ConfigError(`${file}:${seedEntry!.line}: RandomNumberGeneratorSeed must be between 0 and ${2 ** 32 - 1}, got ${randomSeed}`);
    sparsity = { support, representation: rep.value, optimizedMapping, ...(blockSize === undefined ? {} : { blockSize }), randomSeed };
  }
  return Object.freeze({
    readRequestBuffer, writeRequestBuffer, useRamulatorTrace, layout,
    sparsity: Object.freeze(sparsity), defaulted: Object.freeze(defaulted),
  });
}

/**
 * The v3 features a run reads but does not simulate yet: one line each, for reports. Empty for v2
 * files. v3's memory model (USER and CALC, request buffers included) is simulated (SimulatorOptions.v3),
 * and so are its custom layouts and bank conflicts (SimulatorOptions.layout) and, given
 * (`ramulatorLatencies`), Ramulator's latencies (SimulatorOptions.ramulator); v3 reads none in CALC mode.
 */
export function scalesimNotModelled(file: ScalesimConfigFile, layers: readonly ConvLayer[] = [], ramulatorLatencies = false): string[] {
  const v3 = file.v3;
  const out: string[] = [];
  if (!v3) return out;
  if (v3.useRamulatorTrace && file.config.interfaceBandwidth === 'USER' && !ramulatorLatencies) out.push(ramulatorNotRead(layers.length));
  return out;
}

/** The `.cfg` text SCALE-Sim reads for this config (for reproducing a run in SCALE-Sim). */
export function formatConfig(config: SystolicConfig): string {
  return [
    '[general]', `run_name = ${config.runName}`, '',
    '[architecture_presets]',
    `ArrayHeight:    ${config.rows}`, `ArrayWidth:     ${config.cols}`,
    `IfmapSramSzkB:    ${config.ifmapSramKiB}`, `FilterSramSzkB:   ${config.filterSramKiB}`, `OfmapSramSzkB:    ${config.ofmapSramKiB}`,
    `IfmapOffset:    ${config.ifmapOffset}`, `FilterOffset:   ${config.filterOffset}`, `OfmapOffset:    ${config.ofmapOffset}`,
    `Dataflow : ${config.dataflow}`, `Bandwidth : ${config.bandwidthWordsPerCycle}`, 'MemoryBanks: 1', '',
    '[run_presets]', `InterfaceBandwidth: ${config.interfaceBandwidth}`, '',
  ].join('\n');
}
