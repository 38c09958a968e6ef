import type { DynamoTable } from './dynamo-table.js';
import { CorruptItemError } from './errors.js';
import { keys } from './keys.js';

/**
 * The marker item of a local table: one number, the generation socpulse last wrote, which the data directory's
 * manifest repeats beside dynalite's files. A table that lost writes holds an older number (or none).
 */
export class DynamoStoreMarker {
  constructor(private readonly table: DynamoTable) {}

  /** The generation stored; undefined when the table has no marker. */
  async read(): Promise<number | undefined> {
    const item = await this.table.get(keys.storeMarker());
    if (!item) return undefined;
    if (typeof item.generation !== 'number' || !Number.isInteger(item.generation))
      throw new CorruptItemError(`STORE MARKER: generation is ${JSON.stringify(item.generation)}, not a whole number`);
    return item.generation;
  }

  /** Store a generation (always the last write before the manifest names it). */
  async write(generation: number): Promise<void> {
    await this.table.put({
      ...keys.storeMarker(),
      type: 'store-marker',
      generation,
      writtenAt: new Date().toISOString(),
    });
  }
}
