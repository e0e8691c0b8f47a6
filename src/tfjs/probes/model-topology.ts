/**
 * A structural check of a functional model's topology (the `layers[].inbound_nodes` of model.json)
 * before it reaches `tf.loadLayersModel`. TF.js rebuilds a functional model by queueing every layer
 * call and retrying the ones whose inputs do not exist yet until the queue is empty
 * (`Container.fromConfig`); a call that can never be made — its inputs form a cycle, name a layer
 * that does not exist, or ask for a call (node) of a layer that never happens — keeps that loop
 * spinning forever, synchronously, so no timer can stop it. This check refuses exactly those
 * topologies, naming the layers, and checks nested models (a model used as a layer) the same way.
 *
 * The model TF.js builds: node `k` of a layer is its `k`-th call (an `InputLayer` has one call
 * from its constructor); the call needs, for each input `[layer, node, tensor]`, node `node` of
 * `layer` to exist, that is the first `node + 1` calls of `layer` to have been made. So the
 * dependency graph has an edge from each call to the input calls it names and to the previous call
 * of its own layer; TF.js' loop ends exactly when that graph is acyclic and every reference points
 * at a call that exists. Keys are compared as TF.js compares them after its snake_case to camelCase
 * conversion (`inbound_nodes` and `inboundNodes` are the same key; the last one wins).
 */

/** A topology TF.js cannot build without looping; `layers` are the layers concerned. */
export interface TopologyProblem {
  readonly message: string;
  readonly layers: readonly string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** TF.js' `toCamelCase` (tfjs-layers generic_utils). */
function camel(key: string): string {
  if (key.length <= 1 || !key.includes('_')) return key;
  return key.replace(/[_]+(\w|$)/g, (_m, p1: string) => p1.toUpperCase());
}

/**
 * The value TF.js sees under `key` after its `convertPythonicToTs` (the last key converting to `key`
 * wins; a string value is converted too, except under the exact key `name`).
 */
function get(obj: Record<string, unknown>, key: string): unknown {
  let value: unknown;
  for (const k of Object.keys(obj)) {
    if (camel(k) !== key) continue;
    const v = obj[k];
    value = typeof v === 'string' && k !== 'name' ? camel(v) : v;
  }
  return value;
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The dependency graph of one functional model's layer calls, checked. */
function checkFunctional(config: Record<string, unknown>, where: string): TopologyProblem | null {
  const layers = get(config, 'layers') as unknown[];
  const names: string[] = [];
  const index = new Map<string, number>();
  const calls: unknown[][][] = []; // per layer: the non-empty node data (each a list of inputs)
  const offset: number[] = []; // 1 for an InputLayer (its constructor makes node 0)
  for (const [i, layer] of layers.entries()) {
    if (!isObject(layer)) return { message: `${where}layers[${i}] is not an object`, layers: [] };
    const name = get(layer, 'name');
    if (typeof name !== 'string') return { message: `${where}layers[${i}] has no string "name"`, layers: [] };
    if (index.has(name)) return { message: `${where}two layers are named '${name}' (layers[${index.get(name)}] and layers[${i}]); layer names must be unique`, layers: [name] };
    const inner = get(layer, 'config');
    const innerName = isObject(inner) ? get(inner, 'name') : undefined;
    if (innerName !== name) {
      return { message: `${where}layer '${name}' has config.name ${JSON.stringify(innerName ?? null)}; expected the same name as the layer`, layers: [name] };
    }
    index.set(name, i);
    names.push(name);
    const nodes = get(layer, 'inboundNodes') ?? [];
    if (!Array.isArray(nodes)) return { message: `${where}layer '${name}': inbound_nodes is not an array`, layers: [name] };
    const nonEmpty: unknown[][] = [];
    for (const [k, node] of nodes.entries()) {
      if (!Array.isArray(node)) return { message: `${where}layer '${name}': inbound_nodes[${k}] is not an array of [layer, node, tensor] inputs (a Keras 3 node format TF.js does not read)`, layers: [name] };
      if (node.length > 0) nonEmpty.push(node);
    }
    const isInput = get(layer, 'className') === 'InputLayer';
    if (isInput && nonEmpty.length > 0) return { message: `${where}InputLayer '${name}' has inbound nodes; an input layer takes no inputs`, layers: [name] };
    calls.push(nonEmpty);
    offset.push(isInput ? 1 : 0);
  }
  // call ids: base[l] + k for call k of layer l
  const base: number[] = [];
  let total = 0;
  for (let l = 0; l < names.length; l++) {
    base.push(total);
    total += offset[l]! + calls[l]!.length;
  }
  const layerOf = new Int32Array(total);
  const edges: number[][] = Array.from({ length: total }, () => []);
  for (let l = 0; l < names.length; l++) {
    const count = offset[l]! + calls[l]!.length;
    for (let k = 0; k < count; k++) {
      layerOf[base[l]! + k] = l;
      if (k > 0) edges[base[l]! + k]!.push(base[l]! + k - 1);
    }
    for (const [c, node] of calls[l]!.entries()) {
      const from = base[l]! + offset[l]! + c;
      for (const [j, input] of node.entries()) {
        const at = `${where}layer '${names[l]}' inbound node ${c} input ${j}`;
        if (!Array.isArray(input) || typeof input[0] !== 'string' || !isIndex(input[1]) || !isIndex(input[2])) {
          return { message: `${at} is ${JSON.stringify(input)?.slice(0, 80)}; expected [layer name, node index, tensor index, kwargs?]`, layers: [names[l]!] };
        }
        const target = index.get(input[0]);
        if (target === undefined) return { message: `${at} names layer '${input[0]}', which is not in the model`, layers: [names[l]!, input[0]] };
        const available = offset[target]! + calls[target]!.length;
        if (input[1] >= available) {
          return { message: `${at} uses call (node) ${input[1]} of layer '${input[0]}', which is called ${available} time(s)`, layers: [names[l]!, input[0]] };
        }
        edges[from]!.push(base[target]! + input[1]);
      }
    }
  }
  // iterative depth-first search for a cycle
  const state = new Uint8Array(total); // 0 new, 1 on the stack, 2 done
  const parent = new Int32Array(total).fill(-1);
  for (let s = 0; s < total; s++) {
    if (state[s] !== 0) continue;
    const stack: Array<[number, number]> = [[s, 0]];
    state[s] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, e] = top;
      const out = edges[v]!;
      if (e >= out.length) {
        state[v] = 2;
        stack.pop();
        continue;
      }
      top[1] = e + 1;
      const w = out[e]!;
      if (state[w] === 0) {
        state[w] = 1;
        parent[w] = v;
        stack.push([w, 0]);
      } else if (state[w] === 1) {
        // w ... v -> w is a cycle: the layers, in data-flow order (inputs first)
        const path: number[] = [v];
        for (let u = v; u !== w; ) {
          u = parent[u]!;
          path.push(u);
        }
        const layerNames: string[] = [];
        for (const id of path) {
          const n = names[layerOf[id]!]!;
          if (layerNames[layerNames.length - 1] !== n) layerNames.push(n);
        }
        if (layerNames.length > 1 && layerNames[0] === layerNames[layerNames.length - 1]) layerNames.pop();
        // start at the layer listed first in the model, for a stable message
        let first = 0;
        layerNames.forEach((n, k) => {
          if (index.get(n)! < index.get(layerNames[first]!)!) first = k;
        });
        const cycle = [...layerNames.slice(first), ...layerNames.slice(0, first)];
        const loop = [...cycle, cycle[0]!].join(' -> ');
        return {
          message: `${where}the layer graph has a cycle: ${loop} (${path.length === 1 ? "the layer's inbound_nodes name its own output as its input" : `each layer feeds the next: the next one's inbound_nodes name it as an input${layerNames.length === 1 ? ', through an earlier call of the same layer' : ''}`}); a model's layers must form a directed acyclic graph`,
          layers: cycle,
        };
      }
    }
  }
  return null;
}

/**
 * Checks every functional model in a Keras/TF.js model topology (the top-level model and models
 * nested as layers) for layer calls TF.js could never make; null when it can be built.
 * @example
 * const problem = topologyProblem(json.modelTopology);
 * if (problem) throw new Error(problem.message);
 */
export function topologyProblem(topology: unknown): TopologyProblem | null {
  // Walks every object (the depth is bounded by the JSON depth limit applied before parsing).
  const seen = new Set<unknown>();
  const visit = (v: unknown): TopologyProblem | null => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return null;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const e of v) {
        const p = visit(e);
        if (p) return p;
      }
      return null;
    }
    const obj = v as Record<string, unknown>;
    const config = get(obj, 'config');
    const className = get(obj, 'className');
    if (typeof className === 'string' && className !== 'Sequential' && isObject(config) && Array.isArray(get(config, 'layers'))) {
      const layers = get(config, 'layers') as unknown[];
      if (layers.some((l) => isObject(l) && get(l, 'inboundNodes') !== undefined)) {
        const name = get(config, 'name');
        const p = checkFunctional(config, typeof name === 'string' ? `model '${name}': ` : '');
        if (p) return p;
      }
    }
    for (const value of Object.values(obj)) {
      const p = visit(value);
      if (p) return p;
    }
    return null;
  };
  return visit(topology);
}
