/**
 * What a benchmark prints: figures as `name: value`, one a line, for scripts to pick out, and notes for
 * people on lines starting with `#`, which can never be read as a figure.
 */
export interface Report {
  figure(name: string, value: number, decimals?: number): void;
  note(text: string): void;
}

export interface Benchmark {
  name: string;
  run(report: Report): Promise<void> | void;
}

export const consoleReport: Report = {
  figure: (name, value, decimals = 0) => console.log(`${name}: ${value.toFixed(decimals)}`),
  note: (text) => console.log(`# ${text}`),
};

/** The same figures under other names (`show_p99_ms` becomes `show_p99_ms_3m`), for a second run on a larger database. */
export function withSuffix(report: Report, suffix: string): Report {
  return { figure: (name, value, decimals) => report.figure(`${name}${suffix}`, value, decimals), note: report.note };
}
