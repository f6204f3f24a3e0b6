// SCALE-Sim v2 `.cfg` files (Python configparser syntax) → a validated SystolicConfig, and the
// three presets SCALE-Sim bundles. Unlike SCALE-Sim, which warns and carries on, every problem is
// an error naming the file, the key and what was expected.
import type { Dataflow, SystolicConfig } from './types.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
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
    if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${where}: ${key} must be a positive integer, got ${value}`);
    if (value > MAX[key]) throw new ConfigError(`${where}: ${key} must be at most ${MAX[key]}, got ${value}`);
  }
  for (const key of ['ifmapOffset', 'filterOffset', 'ofmapOffset'] as const) {
    if (!Number.isSafeInteger(config[key])) throw new ConfigError(`${where}: ${key} must be an integer, got ${config[key]}`);
  }
  if (!['os', 'ws', 'is'].includes(config.dataflow)) throw new ConfigError(`${where}: dataflow must be os, ws or is, got '${config.dataflow}'`);
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

interface Entry {
  value: string;
  line: number;
}

/** Parses the text of a SCALE-Sim `.cfg`. `file` names it in errors. */
export function parseConfig(text: string, file = '<config>'): SystolicConfig {
  const sections = new Map<string, Map<string, Entry>>();
  let section: Map<string, Entry> | undefined;
  let sectionName = '';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      sectionName = header[1]!.trim();
      if (!(sectionName in KNOWN)) throw new ConfigError(`${file}:${line}: unknown section [${sectionName}]; expected one of ${Object.keys(KNOWN).map((s) => `[${s}]`).join(', ')}`);
      section = sections.get(sectionName) ?? new Map();
      sections.set(sectionName, section);
      return;
    }
    const match = /^([^:=]+?)\s*[:=]\s*(.*)$/.exec(trimmed);
    if (!match) throw new ConfigError(`${file}:${line}: expected 'key : value' or 'key = value', got '${trimmed}'`);
    if (!section) throw new ConfigError(`${file}:${line}: key '${match[1]}' appears before any [section]`);
    const key = match[1]!.toLowerCase();
    if (!KNOWN[sectionName]!.includes(key)) {
      throw new ConfigError(`${file}:${line}: unknown key '${match[1]}' in [${sectionName}]; SCALE-Sim v2 reads ${KNOWN[sectionName]!.join(', ')}`);
    }
    if (section.has(key)) throw new ConfigError(`${file}:${line}: key '${match[1]}' given twice in [${sectionName}]`);
    section.set(key, { value: match[2]!.trim(), line });
  });

  const get = (sec: string, key: string, display: string): Entry => {
    const entry = sections.get(sec)?.get(key);
    if (!entry) throw new ConfigError(`${file}: missing key '${display}' in [${sec}]`);
    return entry;
  };
  const int = (sec: string, key: string, display: string, positive: boolean, max = Number.MAX_SAFE_INTEGER): number => {
    const entry = get(sec, key, display);
    if (!/^[+-]?\d+$/.test(entry.value)) throw new ConfigError(`${file}:${entry.line}: ${display} must be an integer, got '${entry.value}'`);
    const value = Number(entry.value);
    if (positive && value <= 0) throw new ConfigError(`${file}:${entry.line}: ${display} must be a positive integer, got ${value}`);
    if (!Number.isSafeInteger(value) || value > max) throw new ConfigError(`${file}:${entry.line}: ${display} must be at most ${max}, got ${entry.value}`);
    return value;
  };

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
    // v2 accepts a comma list and uses the first value for all three operands.
    const first = bw.value.split(',')[0]!.trim();
    if (!/^[+-]?\d+$/.test(first) || Number(first) <= 0 || Number(first) > MAX_BANDWIDTH) {
      throw new ConfigError(`${file}:${bw.line}: Bandwidth must be a positive integer (words per cycle) of at most ${MAX_BANDWIDTH}, got '${bw.value}'`);
    }
    bandwidth = Number(first);
  }
  return validateConfig(
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
