// The AI vault's model inputs, computed off-chain exactly as contracts/AiVault.sol computes them on-chain,
// so a prover proves the very inputs the vault will check.
//
//   AiVault: q_i = floor((answer_i * 2^s + U / 2) / U),  U = PRICE_UNIT * 10^feedDecimals,  PRICE_UNIT = 1000
//
// i.e. each Chainlink answer as a price in thousands of quote units (USD), at the model's fixed-point
// scale 2^s, rounded half up; the last WINDOW rounds, oldest first. hre.zkml.prove quantizes a float x to
// floor(x * 2^s + 0.5), so passing x = q / 2^s (exact in a double for |q| < 2^53) gives back exactly q.

/** Rounds the vault reads: the model's input count. */
export const WINDOW = 8;
/** The model's price unit in quote units: its prices are in thousands of USD. */
export const PRICE_UNIT = 1000n;

/** What the helper needs of a Chainlink-style feed (an ethers v6 contract satisfies it). */
export interface RoundFeed {
  decimals(): Promise<bigint | number>;
  latestRoundData(): Promise<readonly [bigint, bigint, bigint, bigint, bigint] | { roundId: bigint; answer: bigint; updatedAt: bigint }>;
  getRoundData(roundId: bigint): Promise<readonly [bigint, bigint, bigint, bigint, bigint] | { roundId: bigint; answer: bigint; updatedAt: bigint }>;
}

export interface FeedInputs {
  /** Round ids read, oldest first. */
  roundIds: bigint[];
  /** The feed's answers for those rounds. */
  answers: bigint[];
  /** The model inputs the vault computes: fixed-point integers at scale 2^scaleBits. */
  q: bigint[];
  /** q / 2^scaleBits: what to give hre.zkml.prove so it quantizes back to q. */
  floats: number[];
  /** The latest round's updatedAt. */
  updatedAt: bigint;
}

/** One feed answer as the model's fixed-point input (AiVault._toModelInput). */
export function answerToModelInput(answer: bigint, feedDecimals: number, scaleBits = 12): bigint {
  if (answer <= 0n) throw new Error(`feed answer ${answer} is not a positive price`);
  const unit = PRICE_UNIT * 10n ** BigInt(feedDecimals);
  return (answer * (1n << BigInt(scaleBits)) + unit / 2n) / unit;
}

/** A fixed-point integer as the float that quantizes back to it (exact for |q| < 2^53). */
export function modelInputToFloat(q: bigint, scaleBits = 12): number {
  if (q > BigInt(Number.MAX_SAFE_INTEGER) || q < -BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${q} is not exactly representable as a double`);
  const x = Number(q) / 2 ** scaleBits;
  if (BigInt(Math.floor(x * 2 ** scaleBits + 0.5)) !== q) throw new Error(`internal error: ${q} / 2^${scaleBits} does not quantize back to itself`);
  return x;
}

/** A price in thousands of USD with at most five decimals (whole cents) as an exact feed answer. */
export function thousandsToAnswer(price: number, feedDecimals: number): bigint {
  const cents = Math.round(price * 1e5); // thousands of USD -> cents
  if (Math.abs(cents / 1e5 - price) > 1e-9) throw new Error(`${price} is not a whole number of cents in thousands of USD`);
  if (feedDecimals < 2) throw new Error(`a feed with ${feedDecimals} decimals cannot quote cents`);
  return BigInt(cents) * 10n ** BigInt(feedDecimals - 2);
}

const field = (r: Awaited<ReturnType<RoundFeed["latestRoundData"]>>, name: "roundId" | "answer" | "updatedAt", index: number): bigint =>
  BigInt(Array.isArray(r) ? (r as readonly bigint[])[index] : (r as Record<string, bigint>)[name]);

/** Reads the feed's last WINDOW rounds and converts them as the vault does. */
export async function readFeedInputs(feed: RoundFeed, scaleBits = 12, window = WINDOW): Promise<FeedInputs> {
  const decimals = Number(await feed.decimals());
  const latest = await feed.latestRoundData();
  const latestId = field(latest, "roundId", 0);
  if (latestId < BigInt(window)) throw new Error(`the feed has ${latestId} rounds; the model needs the last ${window}`);
  const roundIds: bigint[] = [];
  const answers: bigint[] = [];
  for (let i = window - 1; i >= 1; i--) {
    const id = latestId - BigInt(i);
    roundIds.push(id);
    answers.push(field(await feed.getRoundData(id), "answer", 1));
  }
  roundIds.push(latestId);
  answers.push(field(latest, "answer", 1));
  const q = answers.map((a) => answerToModelInput(a, decimals, scaleBits));
  return { roundIds, answers, q, floats: q.map((v) => modelInputToFloat(v, scaleBits)), updatedAt: field(latest, "updatedAt", 3) };
}
