import type * as tf from './tf.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * TF.js IOHandler on the local file system, in the standard TF.js layout (model.json + weights.bin), so
 * the weights load without a network or an HTTP server.
 */
export interface FileSystemHandler extends tf.io.IOHandler {
  load(): Promise<tf.io.ModelArtifacts>;
  save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult>;
}

export function fileSystemHandler(directory: string): FileSystemHandler {
  const modelPath = path.join(directory, 'model.json');
  const weightsName = 'weights.bin';
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(await readFile(modelPath, 'utf8')) as tf.io.ModelJSON;
      const manifest = json.weightsManifest;
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of manifest) {
        specs.push(...group.weights);
        for (const file of group.paths) buffers.push(await readFile(path.join(directory, file)));
      }
      const all = Buffer.concat(buffers);
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
      if (json.format !== undefined) artifacts.format = json.format;
      if (json.generatedBy !== undefined) artifacts.generatedBy = json.generatedBy;
      if (json.convertedBy !== undefined && json.convertedBy !== null)
        artifacts.convertedBy = json.convertedBy;
      if (json.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = json.userDefinedMetadata;
      return artifacts;
    },
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await mkdir(directory, { recursive: true });
      const data = artifacts.weightData;
      const bytes = data === undefined ? new Uint8Array(0) : toBytes(data);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(path.join(directory, weightsName), bytes);
      await writeFile(modelPath, JSON.stringify(json));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs).length,
          weightDataBytes: bytes.byteLength,
        },
      };
    },
  };
}

function toBytes(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((sum, part) => sum + part.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of data) {
    out.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out;
}
