import type { z } from 'zod';
import type { Item } from './dynamo-table.js';
import { CorruptItemError } from './errors.js';

/** Parse an item's JSON `data` with a schema; a bad item is an error naming its key and field. */
export function parseData<S extends z.ZodType>(item: Item, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(String(item.data));
  } catch (e) {
    throw new CorruptItemError(`${item.pk} ${item.sk}: data is not JSON`, { cause: e });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptItemError(`${item.pk} ${item.sk}: ${issue?.path.join('.') || '(data)'}: ${issue?.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
