// The configuration a conv or dense layer runs with before any tuning: chosen from sweeps of
// untuned layers, and the first point host tuning measures, so a tuned layer is never slower
// than an untuned one as far as its measurements tell.
import { convOutputSize, type ConvShape, WINOGRAD_5X5_LAYOUT, WINOGRAD_LAYOUTS } from '../../core/kernels.js';
import { type Config, nearest, type Space } from './space.js';

/** Bytes of one 16-channel block of packed weights past which 4×8 beats 2×16 (see untunedConfig). */
const WIDE_BLOCK_WEIGHT_BYTES = 128 * 1024;

/** Bytes of packed weights per cache tile past which the untuned tile takes fewer output-channel blocks (see untunedConfig). */
const MAX_TILE_WEIGHT_BYTES = 512 * 1024;

/** Output tiles from which the untuned F(4×4, 3×3) takes 2×16 rather than 4×8 (see untunedConfig). */
const MIN_WIDE_TILES = 16;

/** Bytes of F(4×4, 3×3)'s transformed weights past which the untuned bands are long (see untunedConfig). */
const MAX_SHORT_BAND_WEIGHT_BYTES = 20 * 2 ** 20;

/** Bytes of F(4×4, 3×3)'s transformed weights up to which the untuned bands hold four register blocks (see untunedConfig). */
const MAX_FOUR_BLOCK_BAND_WEIGHT_BYTES = 2 * 2 ** 20;

/** Bytes a core streams from memory per multiply-add it computes, about (12 GB/s against 20 GMAC/s). */
const STREAMED_BYTES_PER_MADD = 0.6;

/** Output tiles of F(m×m, 3×3). */
function tiles(s: ConvShape, m: number): number {
  const { ho, wo } = convOutputSize(s);
  return s.n * Math.ceil(ho / m) * Math.ceil(wo / m);
}

/** F(m×m, 3×3)'s transformed weights, in floats: one c × oc matrix per point of a (m+2)² tile. */
const transformedWeights = (s: ConvShape, m: number): number => (m + 2) ** 2 * s.c * s.oc;

/**
 * F(m×m, 3×3)'s time, in multiply-adds: its multiply-adds or the streaming of its transformed
 * weights (once per run, from memory in a network), whichever is longer.
 */
function winogradCost(s: ConvShape, m: number): number {
  const weights = transformedWeights(s, m);
  return Math.max(weights * tiles(s, m), (weights * 4) / STREAMED_BYTES_PER_MADD);
}

/**
 * What the runtime runs where no tuning log covers a conv or dense layer, and so where host
 * tuning starts: the space's default with the register block and input layout that measured best
 * untuned (sweeps over ResNet, MobileNet, SqueezeNet, ShuffleNet and Inception layers):
 * - 1×16 below four output pixels (a dense layer at batch 1);
 * - 4×8 where one 16-channel block of packed weights (taps × channels × 16 floats) is over
 *   128 KiB: the micro-kernel streams a block's weights once per pixel block, and at these sizes
 *   they fall out of L2, so four pixels per weight load beat two (3×3 with 512 channels at 7×7 and
 *   14×14: 18% faster; 448 at 8×8: 14%; 1×1 with 2048 channels, exactly 128 KiB: 2×16 still 2% ahead);
 * - 8×4 for at most four output channels per group (ResNeXt-50 32×4d's first grouped 3×3 layers:
 *   0.70 -> 0.35 ms; 4×8 computed half its columns for nothing);
 * - else the block of 2×16, 4×8 and 2×12 (in that order of preference) that pads the output
 *   channels least, since a partial block computes into a staging tile and wastes its empty
 *   columns (2×16 is 1-4% over 4×8 where both fit exactly; ShuffleNet's 58 channels run 5% faster
 *   on 2×12, its 116 9% on 4×8, its first layer's 24 29% on 4×8);
 * - one output pixel (a dense layer at batch 1): 1×16 in tiles of several blocks, which the
 *   kernel runs two at a time, two weight streams (AlexNet's 9216 -> 4096: 15.3 -> 10.9 ms cold);
 * - output-channel tiles whose packed weights fit 512 KiB (a quarter of the anchor machine's
 *   L2): the micro-kernels read a tile's weights once per pixel block, from L2 only where they
 *   fit (Wide-ResNet-50-2's stride-2 3×3 over 1024 channels at 7×7: 16.0 -> 13.2 ms with 1
 *   block instead of 8; ConvNeXt-T's 4×4 MatMuls of 3072 -> 768: 3.2 -> 2.6 ms; ResNet-50's
 *   stride-2 and last 1×1 layers 0-6%, cold);
 * - the zero-padded layout for an input of at most four channels per group (a network's first
 *   layer: RGB), where each kernel row then becomes one reduction of kw·c floats (ResNet-50's
 *   conv1 5.5 -> 4.4 ms);
 * - Winograd wherever it applies: F(4×4, 3×3) (2.3-3.3× the best direct schedule on ResNet,
 *   GoogLeNet and Inception 3×3 layers), unless F(2×2, 3×3) costs less, each costed as its
 *   multiply-adds or the streaming of its transformed weights (4× and 1.8× the direct layout's),
 *   whichever takes longer: Wide-ResNet-50-2's 1024 channels at 4×4 (one 4×4 tile, four 2×2)
 *   take F(2×2), the network 131 -> 118 ms. F(4×4) runs in bands of one register block of tiles
 *   (2×16 from 16 tiles up, else 4×8, so a 7×7 output's 4 tiles share each weight load) while its
 *   weights take at most 20 MiB, of four blocks while they take at most 2 MiB (a micro-kernel call
 *   covers a band's blocks: 1.08-1.21× on 32-, 64- and 96-channel layers, where 128 channels'
 *   2.25 MiB ran 0.97-1.02×); past 20 MiB, each band streaming them again, 4×8 in bands of 16-64
 *   tiles (VGG-16's 512 channels at 14×14: 10.7 ms in one band, 16.0 in bands of 2). Cold, on a
 *   1 MiB-L2 AMD EPYC, against 4×8 in long bands and F(2×2) below 16 tiles (from warm sweeps on a
 *   4 MiB-L2 Intel machine, where bands of 8-64 tiles and the 7×7 layers' F(2×2) ran as fast):
 *   1.05-1.35× from 14×14 to 112×112 (ResNet's 256 at 14×14 2.75 -> 2.15 ms), 1.5-2.3× at 7×7
 *   and 8×8 (ResNet's 512 4.47 -> 2.54 ms); networks 1.03-1.23× (ResNet-18 1.11-1.23×, VGG-16
 *   1.09-1.13×), ResNet-18's packed weights 93 -> 153 MiB;
 * - F(2×2, 5×5) for 5×5 layers it applies to, on the direct schedule's register block with bands
 *   of 4 register blocks (8-16 tiles): 1.3-2× the direct schedule on AlexNet's conv2 (11.9 -> 5.8 ms), Inception-v3's
 *   35×35 × 48 -> 64 (5.1 -> 2.5 ms) and GoogLeNet's 5×5 branches (1.2 -> 0.6 ms at 14×14 × 32),
 *   the 2×16 block 2-8% ahead of 4×8 and bands of 4 blocks 5-15% ahead of 16.
 * A depthwise space keeps its default.
 */
export function untunedConfig(space: Space): Config {
  const block = space.knobs.find((knob) => knob.name === 'block');
  const layout = space.knobs.find((knob) => knob.name === 'layout');
  if (!block?.labels || !layout) return space.defaultConfig;
  if (WINOGRAD_LAYOUTS.every((l) => layout.values.includes(l))) {
    const pTile = space.knobs.find((knob) => knob.name === 'pTile')!;
    const s = space.task.shape;
    const [large, small] = WINOGRAD_LAYOUTS;
    const f4 = winogradCost(s, 4) <= winogradCost(s, 2);
    const weightBytes = transformedWeights(s, 4) * 4;
    const short = f4 && weightBytes <= MAX_SHORT_BAND_WEIGHT_BYTES;
    const label = short && tiles(s, 4) >= MIN_WIDE_TILES ? '2x16' : '4x8';
    const band = !short ? 8 : weightBytes <= MAX_FOUR_BLOCK_BAND_WEIGHT_BYTES ? 4 : 1;
    const winograd: Config = {
      ...space.defaultConfig, block: block.values[block.labels.indexOf(label)]!, pTile: nearest(pTile.values, band), layout: f4 ? large : small,
    };
    if (space.contains(winograd)) return winograd;
  }
  const { ho, wo } = convOutputSize(space.task.shape);
  const pixels = space.task.shape.n * ho * wo;
  const { kh, kw, c, oc, groups } = space.task.shape;
  const channelsPerGroup = c / groups;
  const outputsPerGroup = oc / groups;
  const nrOf = (label: string): number => Number(label.split('x')[1]);
  const padding = (label: string): number => Math.ceil(outputsPerGroup / nrOf(label)) * nrOf(label) - outputsPerGroup;
  const wideBlockBytes = kh * kw * channelsPerGroup * 16 * 4;
  const candidates = (pixels < 4 ? ['1x16'] : outputsPerGroup <= 4 ? ['8x4'] : wideBlockBytes > WIDE_BLOCK_WEIGHT_BYTES ? ['4x8'] : ['2x16', '4x8', '2x12'])
    .filter((label) => block.labels!.includes(label));
  const label = candidates.reduce<string | undefined>((best, l) => (best === undefined || padding(l) < padding(best) ? l : best), undefined);
  const chosen = label ? block.values[block.labels.indexOf(label)]! : space.defaultConfig.block!;
  // Fewer output-channel blocks per tile while the tile's packed weights pass the cap. One pixel
  // reads its weights once whatever the tiles, and a tile of one block runs it without pairs.
  const nr = nrOf(block.labels[block.values.indexOf(chosen)]!);
  const ocTiles = space.knobs.find((knob) => knob.name === 'ocTile')!.values;
  const tileWeightBytes = (ocTile: number): number => ocTile * nr * kh * kw * Math.min(space.defaultConfig.icTile!, channelsPerGroup) * 4;
  let ocTile = space.defaultConfig.ocTile!;
  while (pixels > 1 && ocTile > ocTiles[0]! && tileWeightBytes(ocTile) > MAX_TILE_WEIGHT_BYTES) ocTile = ocTiles[ocTiles.indexOf(ocTile) - 1]!;
  const config: Config = {
    ...space.defaultConfig,
    block: chosen,
    ocTile,
    ...(channelsPerGroup <= 4 && layout.values.includes(1) ? { layout: 1 } : {}),
  };
  if (!space.contains(config)) return space.defaultConfig;
  // A 5×5 layer Winograd applies to: F(2×2, 5×5) on the direct schedule's block.
  const pTile = space.knobs.find((knob) => knob.name === 'pTile')!;
  const winograd5: Config = { ...config, layout: WINOGRAD_5X5_LAYOUT, pTile: nearest(pTile.values, 8) };
  return layout.values.includes(WINOGRAD_5X5_LAYOUT) && space.contains(winograd5) ? winograd5 : config;
}
