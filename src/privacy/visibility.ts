/**
 * Who sees what of an inference. The three use cases:
 *  - public model + private data: `input: "private"` (nothing about the input is public) or `"hashed"`
 *    (a Poseidon commitment to it is public, so the same input is recognised later: one person, one mint);
 *  - private model + public data: `params: "private"`; weights are private witness values bound by a
 *    public Poseidon commitment to them, so a contract can insist on the model published in advance;
 *  - public model + public data: `input: "public"`, `output: "public"`; values are packed several to a
 *    public signal so verification gas grows by one signal per ~10 inputs, not per input.
 * `output: "hashed"` makes the outputs private too, with only their commitment public.
 * Generative models (a prompt in, an image out; src/privacy/seeded.ts):
 *  - `input: "seeded"`: one public seed (e.g. a hash of the prompt); the circuit expands it to the
 *    inputs with Poseidon, so the prompt costs one public signal whatever the latent size;
 *  - `output: "fingerprint"`: the packed outputs are checked against a random linear combination the
 *    verifier computes from the claimed outputs: two public signals whatever the output size, and no
 *    hash for the contract to recompute but keccak.
 */
export type InputVisibility = "public" | "private" | "hashed" | "seeded";
export type ParamsVisibility = "fixed" | "private";
export type OutputVisibility = "public" | "hashed" | "fingerprint";

export interface Visibility {
  input: InputVisibility;
  params: ParamsVisibility;
  output: OutputVisibility;
  /**
   * With `input: "hashed"`: mix a private salt into the input commitment. Salted, the commitment hides
   * even a guessable input (an allow-list of enrolled commitments); unsalted, it is the same for the
   * same input, which is what a nullifier needs (a salt the prover picks would let one input pass twice).
   */
  inputSalt: boolean;
}

export const PUBLIC_VISIBILITY: Visibility = { input: "public", params: "fixed", output: "public", inputSalt: false };

const CHOICES = {
  input: ["public", "private", "hashed", "seeded"],
  params: ["fixed", "private"],
  output: ["public", "hashed", "fingerprint"],
} as const;

/** Validates a user's `visibility` setting; returns the resolved value and a list of problems. */
export function resolveVisibility(v: unknown, where: string): { visibility: Visibility; errors: string[] } {
  const errors: string[] = [];
  if (v === undefined) return { visibility: PUBLIC_VISIBILITY, errors };
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return { visibility: PUBLIC_VISIBILITY, errors: [`${where} must be an object like { input: "private", params: "fixed", output: "public" }`] };
  }
  const u = v as Record<string, unknown>;
  for (const k of Object.keys(u))
    if (!(k in CHOICES) && k !== "inputSalt") errors.push(`${where}: unknown setting "${k}" (known: input, params, output, inputSalt)`);
  const pick = <K extends keyof typeof CHOICES>(k: K): (typeof CHOICES)[K][number] => {
    const x = u[k];
    if (x === undefined) return PUBLIC_VISIBILITY[k] as (typeof CHOICES)[K][number];
    if (typeof x !== "string" || !(CHOICES[k] as readonly string[]).includes(x)) {
      errors.push(`${where}.${k} must be one of ${CHOICES[k].map((c) => `"${c}"`).join(", ")}, got ${JSON.stringify(x)}`);
      return PUBLIC_VISIBILITY[k] as (typeof CHOICES)[K][number];
    }
    return x as (typeof CHOICES)[K][number];
  };
  const visibility: Visibility = { input: pick("input"), params: pick("params"), output: pick("output"), inputSalt: false };
  if (u.inputSalt !== undefined) {
    if (typeof u.inputSalt !== "boolean") errors.push(`${where}.inputSalt must be true or false`);
    else if (u.inputSalt && visibility.input !== "hashed") errors.push(`${where}.inputSalt needs input: "hashed" (only a commitment has a salt)`);
    else visibility.inputSalt = u.inputSalt;
  }
  return { visibility, errors };
}

export function describeVisibility(v: Visibility): string {
  return `input ${v.input}${v.inputSalt ? " (salted)" : ""}, params ${v.params}, output ${v.output}`;
}
