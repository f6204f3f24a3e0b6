// SCALE-Sim v2's bundled network topologies (scale-sim-v2 @ 22f88b1, MIT licence), verbatim, so
// networks can be simulated and benchmarked without a checkout: `mapwise simulate scalesim:resnet50`.
// resnet50 is topologies/mlperf/Resnet50.csv (conv_nets/Resnet50.csv does not load in SCALE-Sim).
import { UserError } from '../base/errors.js';
import { parseTopology } from './topology.js';
import type { ConvLayer } from './types.js';

const CSV: Readonly<Record<string, { file: string; text: string }>> = {
  alexnet: {
    file: "conv_nets/alexnet.csv",
    text: "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4      ,\nConv2     ,27         ,27        ,5            ,5           ,96      ,256       ,1      ,\nConv3     ,13          ,13         ,3            ,3           ,256     ,384       ,1      ,\nConv4     ,13          ,13         ,3            ,3           ,384     ,384       ,1      ,\nConv5     ,13          ,13         ,3            ,3           ,384     ,256       ,1      ,\n",
  },
  resnet18: {
    file: "conv_nets/Resnet18.csv",
    text: "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides, \nConv1,224,224,7,7,3,64,2,\nConv2_1a,56,56,3,3,64,64,1,\nConv2_1b,56,56,3,3,64,64,1,\nConv2_2a,56,56,3,3,64,64,1,\nConv2_2b,56,56,3,3,64,64,1,\nConv3_1a,56,56,3,3,64,128,2,\nConv3_1b,28,28,3,3,128,128,1,\nConv3_s,56,56,1,1,64,128,2,\nConv3_2a,28,28,3,3,128,128,1,\nConv3_2b,28,28,3,3,128,128,1,\nConv4_1a,28,28,3,3,128,256,2,\nConv4_1b,14,14,3,3,256,256,1,\nConv4_s,28,28,1,1,128,256,2,\nConv4_2a,14,14,3,3,256,256,1,\nConv4_2b,14,14,3,3,256,256,1,\nConv5_1a,14,14,3,3,256,512,2,\nConv5_1b,7,7,3,3,512,512,1,\nConv5_s,14,14,1,1,256,512,2,\nConv5_2a,7,7,3,3,512,512,1,\nConv5_2b,7,7,3,3,512,512,1,\nFC,1,1,1,1,512,1000,1,",
  },
  resnet50: {
    file: "mlperf/Resnet50.csv",
    text: "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\nConv1, 224, 224, 7, 7, 3, 64, 2,\nCB2a_1, 56, 56, 1, 1, 64, 64, 1,\nCB2a_2, 56, 56, 3, 3, 64, 64, 1,\nCB2a_3, 56, 56, 1, 1, 64, 256, 1,\nCB2s, 56, 56, 1, 1, 64, 256, 1,\nIB2b_1, 56, 56, 1, 1, 256, 64, 1,\nIB2b_2, 56, 56, 3, 3, 64, 64, 1,\nIB2b_3, 56, 56, 1, 1, 64, 256, 1,\nIB2c_1, 56, 56, 1, 1, 256, 64, 1,\nIB2c_2, 56, 56, 3, 3, 64, 64, 1,\nIB2c_3, 56, 56, 1, 1, 64, 256, 1,\nCB3a_1, 56, 56, 1, 1, 256, 128, 2,\nCB3a_2, 28, 28, 3, 3, 128, 128, 1,\nCB3a_3, 28, 28, 1, 1, 128, 512, 1,\nCB3s, 56, 56, 1, 1, 256, 512, 2,\nIB3b_1, 28, 28, 1, 1, 512, 128, 1,\nIB3b_2, 28, 28, 3, 3, 128, 128, 1,\nIB3b_3, 28, 28, 1, 1, 128, 512, 1,\nIB3c_1, 28, 28, 1, 1, 512, 128, 1,\nIB3c_2, 28, 28, 3, 3, 128, 128, 1,\nIB3c_3, 28, 28, 1, 1, 128, 512, 1,\nIB3d_1, 28, 28, 1, 1, 512, 128, 1,\nIB3d_2, 28, 28, 3, 3, 128, 128, 1,\nIB3d_3, 28, 28, 1, 1, 128, 512, 1,\nCB4a_1, 28, 28, 1, 1, 512, 256, 2,\nCB4a_2, 14, 14, 3, 3, 256, 256, 1,\nCB4a_3, 14, 14, 1, 1, 256, 1024, 1,\nCB4s, 28, 28, 1, 1, 512, 1024, 2,\nIB4b_1, 14, 14, 1, 1, 1024, 256, 1,\nIB4b_2, 14, 14, 3, 3, 256, 256, 1,\nIB4b_3, 14, 14, 1, 1, 256, 1024, 1,\nIB4c_1, 14, 14, 1, 1, 1024, 256, 1,\nIB4c_2, 14, 14, 3, 3, 256, 256, 1,\nIB4c_3, 14, 14, 1, 1, 256, 1024, 1,\nIB4d_1, 14, 14, 1, 1, 1024, 256, 1,\nIB4d_2, 14, 14, 3, 3, 256, 256, 1,\nIB4d_3, 14, 14, 1, 1, 256, 1024, 1,\nIB4e_1, 14, 14, 1, 1, 1024, 256, 1,\nIB4e_2, 14, 14, 3, 3, 256, 256, 1,\nIB4e_3, 14, 14, 1, 1, 256, 1024, 1,\nIB4f_1, 14, 14, 1, 1, 1024, 256, 1,\nIB4f_2, 14, 14, 3, 3, 256, 256, 1,\nIB4f_3, 14, 14, 1, 1, 256, 1024, 1,\nCB5a_1, 14, 14, 1, 1, 1024, 512, 2,\nCB5a_2, 7, 7, 3, 3, 512, 512, 1,\nCB5a_3, 7, 7, 1, 1, 512, 2048, 1,\nCB5s, 14, 14, 1, 1, 1024, 2048, 2,\nIB5b_1, 7, 7, 1, 1, 2048, 512, 1,\nIB5b_2, 7, 7, 3, 3, 512, 512, 1,\nIB5b_3, 7, 7, 1, 1, 512, 2048, 1,\nIB5c_1, 7, 7, 1, 1, 2048, 512, 1,\nIB5c_2, 7, 7, 3, 3, 512, 512, 1,\nIB5c_3, 7, 7, 1, 1, 512, 2048, 1,\nFC6, 1, 1, 1, 1, 2048, 1000, 1,\n",
  },
  mobilenet: {
    file: "conv_nets/mobilenet.csv",
    text: "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1,  224, 224,    3, 3,      3,      32,     2,\nConv2,  112, 112,    3, 3,      32,      1,     1,\nConv3,  112, 112,    1, 1,      32,     64,     1,\nConv4,  112, 112,    3, 3,      64,      1,     2,\nConv5,   56,  56,    1, 1,      64,    128,     1,\nConv6,   56,  56,    3, 3,     128,      1,     1,\nConv7,   56,  56,    1, 1,     128,    128,     1,\nConv8,   56,  56,    3, 3,     128,      1,     2,\nConv9,   28,  28,    1, 1,     128,    256,     1,\nConv10,  28,  28,    3, 3,     256,      1,     1,\nConv11,  28,  28,    1, 1,     256,    256,     1,\nConv12,  28,  28,    3, 3,     256,      1,     2,\nConv13,  14,  14,    1, 1,     256,    512,     1,\nConv14,  14,  14,    3, 3,     512,      1,     1,\nConv15,  14,  14,    1, 1,     512,    512,     1,\nConv16,  14,  14,    3, 3,     512,      1,     1,\nConv17,  14,  14,    1, 1,     512,    512,     1,\nConv18,  14,  14,    3, 3,     512,      1,     1,\nConv19,  14,  14,    1, 1,     512,    512,     1,\nConv20,  14,  14,    3, 3,     512,      1,     1,\nConv21,  14,  14,    1, 1,     512,    512,     1,\nConv22,  14,  14,    3, 3,     512,      1,     1,\nConv23,  14,  14,    1, 1,     512,    512,     1,\nConv24,  14,  14,    3, 3,     512,      1,     2,\nConv25,   7,   7,    1, 1,     512,   1024,     1,\nConv26,   7,   7,    3, 3,    1024,      1,     2,\nConv27,   7,   7,    1, 1,    1024,   1024,     1,\n",
  },
};

export const SCALESIM_NETWORKS: readonly string[] = Object.keys(CSV);

/** The layers of a bundled network by name (alexnet, resnet18, resnet50, mobilenet), parsed as SCALE-Sim parses them. */
export function scalesimNetwork(name: string): ConvLayer[] {
  const entry = CSV[name];
  if (!entry) throw new UserError(`unknown SCALE-Sim network '${name}'; choose one of: ${SCALESIM_NETWORKS.join(', ')}`, { field: 'model' });
  return parseTopology(entry.text, `scale-sim-v2/topologies/${entry.file}`);
}

/** The CSV text of a bundled network, to hand to SCALE-Sim itself. */
export function scalesimNetworkCsv(name: string): string {
  const entry = CSV[name];
  if (!entry) throw new UserError(`unknown SCALE-Sim network '${name}'; choose one of: ${SCALESIM_NETWORKS.join(', ')}`, { field: 'model' });
  return entry.text;
}
