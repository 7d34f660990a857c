/**
 * A connector's mapping as data: for each vendor field, the engine field it becomes, the rule, and the ERP column
 * the engine field ends up in. docs/data-mapping.md is generated from these tables, and
 * test/unit/mapping-tables.test.ts runs each table's examples through the real mapper (and checks each ERP column
 * against the migrations), so the document cannot say what the code does not do.
 */

export interface FieldMapping {
  /** The vendor's field as its API names it (`[]` for every element of a list). */
  vendor: string;
  /** The engine field it becomes (path in the mapper's output, `[]` for every element). */
  engine: string;
  /** The transformation, in words. */
  rule: string;
  /** Where the ERP keeps it: `erp.<table>.<column>`, written by `file` (which names the engine field). */
  erp?: { column: string; file: string };
  /**
   * Checked against the mapper: setting `path` (default: `vendor` with `[]` as the first element) of the example
   * input to `value` makes the engine field (first element for `[]`) equal `engine`.
   */
  example?: { path?: string; value: unknown; engine: unknown };
}

export interface EntityMapping {
  vendor: string;
  /** The vendor's entity, e.g. `Order (Admin GraphQL)`. */
  entity: string;
  /** The engine type it becomes. */
  engineType: string;
  /** Where the mapping happens, e.g. `connectors/shopify/mapper.ts` `toShopOrder`. */
  mapper: string;
  map: (input: unknown) => unknown;
  /** A typical input, as the vendor (or the connector's client) hands it to the mapper. */
  sample: unknown;
  fields: FieldMapping[];
}
