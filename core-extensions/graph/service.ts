/**
 * The graph: many objects and relationships created in one transaction, all or
 * nothing. It adds no rules of its own beyond resolving client ids: every object is
 * validated and written by the objects service and every edge by the relationships
 * service (both through their api.ts refs), with error paths pointing into this
 * request (`nodes.3.status`, `edges.7.target_id`). All rows are written first and all
 * events recorded last, one per created record.
 */
import { type Db, isUuid, validationError } from '@maskin/contract';
import type { CreateObjectInput, ObjectsService, WriteScope } from '../objects/api.ts';
import type { RelationshipInput, RelationshipsService } from '../relationships/api.ts';

export interface GraphNode extends CreateObjectInput {
  /** A temporary id chosen by the client, used by edges of the same request. */
  client_id?: string;
}

export interface GraphEdge {
  type: string;
  /** A node's client_id, or the id of an existing object of the workspace. */
  source_id: string;
  target_id: string;
}

function invalid(path: string, message: string) {
  return validationError(`Invalid graph: ${path} ${message}`, [{ path, message }]);
}

export class GraphService {
  constructor(
    private readonly objects: ObjectsService,
    private readonly relationships: RelationshipsService,
  ) {}

  async create(tx: Db, scope: WriteScope, input: { nodes: GraphNode[]; edges: GraphEdge[] }) {
    const clientIndex = new Map<string, number>();
    input.nodes.forEach((node, index) => {
      if (node.client_id === undefined) return;
      if (clientIndex.has(node.client_id)) {
        throw invalid(
          `nodes.${index}.client_id`,
          `repeats the client_id of nodes.${clientIndex.get(node.client_id)}`,
        );
      }
      clientIndex.set(node.client_id, index);
    });
    const nodes = await this.objects.prepareCreate(
      tx,
      scope,
      input.nodes.map(({ client_id: _, ...node }) => node),
      (index) => `nodes.${index}`,
    );
    const resolve = (reference: string, path: string) => {
      const index = clientIndex.get(reference);
      if (index !== undefined) return nodes.value[index]!.id;
      if (isUuid(reference)) return reference.toLowerCase();
      throw invalid(path, `"${reference}" is neither a client_id of a node in this request nor an object id`);
    };
    const edges: RelationshipInput[] = input.edges.map((edge, index) => ({
      type: edge.type,
      source_id: resolve(edge.source_id, `edges.${index}.source_id`),
      target_id: resolve(edge.target_id, `edges.${index}.target_id`),
    }));
    const links = await this.relationships.prepareCreate(tx, scope, edges, (index) => `edges.${index}`);
    await nodes.recordEvents();
    await links.recordEvents();
    const ids = Object.fromEntries(
      [...clientIndex].map(([clientId, index]) => [clientId, nodes.value[index]!.id]),
    );
    return { objects: nodes.value, relationships: links.value, ids };
  }
}
