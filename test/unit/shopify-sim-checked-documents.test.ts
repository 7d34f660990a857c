import { buildSchema } from 'graphql';
import { CheckedDocuments } from '../../connectors/shopify/simulator/graphql-endpoint';

const schema = buildSchema('type Query { order(id: ID!): Order } type Order { id: ID! name: String }');

describe('the Shopify simulator\'s parse and validation cache', () => {
  it('parses and validates a query text once and answers the same document for it again', () => {
    const documents = new CheckedDocuments(schema);
    const first = documents.get('query Q($id: ID!) { order(id: $id) { id name } }');
    expect(first).toHaveProperty('document');
    expect(documents.get('query Q($id: ID!) { order(id: $id) { id name } }')).toBe(first);
    expect(documents.size).toBe(1);
  });

  it('answers a syntax error and a validation error with the errors, every time', () => {
    const documents = new CheckedDocuments(schema);
    const broken = documents.get('query { order(id: "1") { id ');
    expect('errors' in broken && broken.errors[0]!.message).toMatch(/Syntax Error/);
    const unknownField = documents.get('query { order(id: "1") { id total } }');
    expect('errors' in unknownField && unknownField.errors[0]!.message).toBe('Cannot query field "total" on type "Order".');
    expect(documents.get('query { order(id: "1") { id total } }')).toBe(unknownField);
  });

  it('keeps at most its capacity, dropping the text used least recently', () => {
    const documents = new CheckedDocuments(schema, 2);
    const a = documents.get('query A { order(id: "1") { id } }');
    const b = documents.get('query B { order(id: "2") { id } }');
    documents.get('query A { order(id: "1") { id } }');
    documents.get('query C { order(id: "3") { id } }');
    expect(documents.size).toBe(2);
    expect(documents.get('query A { order(id: "1") { id } }')).toBe(a);
    // B went (checked again: another object); that pushed out C, the least recent now.
    expect(documents.get('query B { order(id: "2") { id } }')).not.toBe(b);
    expect(documents.size).toBe(2);
  });
});
