import { randomUUID } from 'node:crypto';
import {
  execute, getOperationAST, getVariableValues, GraphQLError, Kind, parse, validate,
  type DocumentNode, type FragmentDefinitionNode, type GraphQLFormattedError, type GraphQLSchema,
} from 'graphql';
import type { Logger } from '../../../config/logger';
import { actualCost, MAX_QUERY_COST, requestedCost, type CostInput, type LeakyBucket } from './cost';

/**
 * One Admin GraphQL request, start to finish, as Shopify answers it: parse and validate (errors with HTTP 200),
 * price the query, refuse it when too costly or throttled without charging, run it, then refund what the
 * result did not use. Every answer carries `extensions.cost`.
 */

export interface GraphqlRequest { query: string; variables?: Record<string, unknown> | null; operationName?: string | null }

export interface GraphqlResponse {
  data?: unknown;
  errors?: GraphQLFormattedError[];
  extensions: { cost: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: ReturnType<LeakyBucket['status']> } };
}

export const RATE_LIMITS_DOC = 'https://shopify.dev/api/usage/rate-limits';

/** A query text parsed and validated against the schema: the document, or the errors it is answered with. */
type Checked = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Parse and validation results by query text. A client sends the same few query texts again and again with other
 * variables, and validating a document cost the simulator more than running it; both depend on the text and the
 * schema alone. Bounded: the least recently used text goes first.
 */
export class CheckedDocuments {
  private readonly byText = new Map<string, Checked>();

  constructor(private readonly schema: GraphQLSchema, private readonly capacity = 200) {}

  get(query: string): Checked {
    const known = this.byText.get(query);
    if (known) {
      this.byText.delete(query);
      this.byText.set(query, known);
      return known;
    }
    const checked = this.check(query);
    this.byText.set(query, checked);
    if (this.byText.size > this.capacity) this.byText.delete(this.byText.keys().next().value!);
    return checked;
  }

  get size(): number {
    return this.byText.size;
  }

  private check(query: string): Checked {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      if (err instanceof GraphQLError) return { errors: [err] };
      throw err;
    }
    const invalid = validate(this.schema, document);
    return invalid.length > 0 ? { errors: invalid } : { document };
  }
}

export function createGraphqlEndpoint(deps: { schema: GraphQLSchema; rootValue: unknown; bucket: LeakyBucket; logger?: Logger }) {
  const { schema, rootValue, bucket } = deps;
  const documents = new CheckedDocuments(schema);
  const answer = (requested: number, actual: number | null, rest: Omit<GraphqlResponse, 'extensions'>): GraphqlResponse => ({
    ...rest,
    extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } },
  });
  const failed = (errors: readonly GraphQLError[]) => answer(0, 0, { errors: errors.map((e) => e.toJSON()) });

  /** Unexpected resolver crashes are hidden behind Shopify's generic message, with a request id to find them in the log. */
  const format = (err: GraphQLError): GraphQLFormattedError => {
    if (!err.originalError || err.originalError instanceof GraphQLError) return err.toJSON();
    const requestId = randomUUID();
    deps.logger?.error({ err: err.originalError, requestId, path: err.path }, 'shopify simulator resolver failed');
    return {
      message: `Internal error. Looks like something went wrong on our end.\nRequest ID: ${requestId} (include this in support requests).`,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
    };
  };

  /** `context` reaches every resolver (e.g. the request's API version). */
  return async function run(request: GraphqlRequest, context: object): Promise<GraphqlResponse> {
    const checked = documents.get(request.query);
    if ('errors' in checked) return failed(checked.errors);
    const { document } = checked;
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) {
      return failed([new GraphQLError(request.operationName ? `Unknown operation named "${request.operationName}".` : 'Must provide operation name if query contains multiple operations.')]);
    }
    const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
    if (variables.errors) return failed(variables.errors);

    const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
    const costInput: CostInput = { schema, operation, fragments, variables: variables.coerced };
    const requested = requestedCost(costInput);
    if (requested > MAX_QUERY_COST) {
      return answer(requested, null, {
        errors: [{
          message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\n`
            + `See ${RATE_LIMITS_DOC} for more information on how the cost of a query is calculated.`,
          extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_QUERY_COST },
        }],
      });
    }
    if (!bucket.take(requested)) {
      return answer(requested, null, { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: RATE_LIMITS_DOC } }] });
    }

    const result = await execute({
      schema, document, rootValue, contextValue: context, variableValues: request.variables ?? {}, operationName: request.operationName ?? undefined,
    });
    const actual = Math.min(requested, actualCost(costInput, result.data));
    bucket.refund(requested - actual);
    return answer(requested, actual, { data: result.data ?? null, ...(result.errors ? { errors: result.errors.map(format) } : {}) });
  };
}
