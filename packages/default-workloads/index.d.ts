/** Absolute path of the shipped workloads/manifest.json (its trace files sit next to it). */
export declare const manifestPath: string;
