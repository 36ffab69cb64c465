import { expect } from "chai";
import path from "path";
import { DEFAULT_PROVER, PROVING_SYSTEMS } from "../../src/backend/provers";
import { DEFAULT_INPUT_BITS, resolveZkmlConfig, ZkmlUserConfig } from "../../src/hardhat/config";
import { PUBLIC_VISIBILITY } from "../../src/privacy/visibility";
import { segmentConstraintLimit } from "../../src/pipeline/chain";
import { BYTES_PER_CONSTRAINT } from "../../src/quantize/estimate";

const ROOT = path.resolve("/project/root");

/** resolveZkmlConfig on a config that is deliberately not type-correct. */
function resolveUntyped(user: unknown) {
  return resolveZkmlConfig(user as ZkmlUserConfig, ROOT);
}

describe("resolveZkmlConfig", () => {
  describe("defaults", () => {
    it("resolves an absent zkml section to no models and default directories", () => {
      const { config, errors } = resolveZkmlConfig(undefined, ROOT);
      expect(errors).to.deep.equal([]);
      expect(config).to.deep.equal({
        models: {},
        scaleBits: undefined,
        inputBits: 24,
        buildDir: path.join(ROOT, "zkml-build"),
        verifiersDir: path.join(ROOT, "contracts", "zkml"),
        ptau: undefined,
        prover: "native",
        maxConstraints: undefined,
      });
    });

    it("leaves the scale to calibration and gives models inputBits 24 unless set", () => {
      expect(DEFAULT_INPUT_BITS).to.equal(24);
      const { config, errors } = resolveZkmlConfig({ models: { m: { onnx: "m.onnx" } } }, ROOT);
      expect(errors).to.deep.equal([]);
      expect(config.models.m).to.deep.equal({
        onnx: path.join(ROOT, "m.onnx"),
        scaleBits: undefined,
        inputBits: 24,
        calibration: undefined,
        bind: [],
        visibility: PUBLIC_VISIBILITY,
        calibrationSamples: undefined,
        body: undefined,
        maxConstraints: undefined,
      });
    });

    it("lets top-level bits set each model's default and a model override them", () => {
      const { config, errors } = resolveZkmlConfig(
        { scaleBits: 10, inputBits: 30, models: { a: { onnx: "a.onnx" }, b: { onnx: "b.onnx", scaleBits: 16 }, c: { onnx: "c.onnx", inputBits: 2 } } },
        ROOT,
      );
      expect(errors).to.deep.equal([]);
      expect(config).to.include({ scaleBits: 10, inputBits: 30 }); // for models compiled by path
      expect(config.models.a).to.include({ scaleBits: 10, inputBits: 30 });
      expect(config.models.b).to.include({ scaleBits: 16, inputBits: 30 });
      expect(config.models.c).to.include({ scaleBits: 10, inputBits: 2 });
    });
  });

  describe("paths", () => {
    it("resolves relative paths against the project root", () => {
      const { config, errors } = resolveZkmlConfig(
        {
          models: { m: { onnx: "models/m/network.onnx" } },
          buildDir: "out/build",
          verifiersDir: "contracts/generated",
          ptau: "keys/pot.ptau",
        },
        ROOT,
      );
      expect(errors).to.deep.equal([]);
      expect(config.models.m.onnx).to.equal(path.join(ROOT, "models", "m", "network.onnx"));
      expect(config.buildDir).to.equal(path.join(ROOT, "out", "build"));
      expect(config.verifiersDir).to.equal(path.join(ROOT, "contracts", "generated"));
      expect(config.ptau).to.equal(path.join(ROOT, "keys", "pot.ptau"));
    });

    it("keeps absolute paths", () => {
      const abs = path.resolve("/elsewhere/model.onnx");
      const { config } = resolveZkmlConfig({ models: { m: { onnx: abs } }, buildDir: path.resolve("/tmp/b") }, ROOT);
      expect(config.models.m.onnx).to.equal(abs);
      expect(config.buildDir).to.equal(path.resolve("/tmp/b"));
    });
  });

  describe("errors", () => {
    it("reports an unknown model setting", () => {
      const { errors } = resolveUntyped({ models: { m: { onnx: "m.onnx", scalebits: 10 } } });
      expect(errors).to.deep.equal(['zkml.models.m: unknown setting "scalebits"']);
    });

    for (const bad of [0, 33, 12.5, -1, "12", null, NaN]) {
      it(`reports scaleBits = ${JSON.stringify(bad)} (${typeof bad}) with the allowed range`, () => {
        expect(resolveUntyped({ scaleBits: bad }).errors).to.deep.equal([
          `zkml.scaleBits must be an integer from 1 to 32, got ${JSON.stringify(bad)}`,
        ]);
        expect(resolveUntyped({ models: { m: { onnx: "m.onnx", scaleBits: bad } } }).errors).to.deep.equal([
          `zkml.models.m.scaleBits must be an integer from 1 to 32, got ${JSON.stringify(bad)}`,
        ]);
      });
    }

    it("accepts the ends of the scaleBits and inputBits ranges", () => {
      expect(resolveUntyped({ scaleBits: 1, inputBits: 128 }).errors).to.deep.equal([]);
      expect(resolveUntyped({ scaleBits: 32, inputBits: 2 }).errors).to.deep.equal([]);
    });

    it("reports inputBits outside 2..128", () => {
      expect(resolveUntyped({ inputBits: 1 }).errors).to.deep.equal(["zkml.inputBits must be an integer from 2 to 128, got 1"]);
      expect(resolveUntyped({ models: { m: { onnx: "m.onnx", inputBits: 129 } } }).errors).to.deep.equal([
        "zkml.models.m.inputBits must be an integer from 2 to 128, got 129",
      ]);
    });

    it("validates maxConstraints (1 to 2^28) at the top level and per model, a model's overriding the top's", () => {
      const { config, errors } = resolveUntyped({ maxConstraints: 1_000_000, models: { a: { onnx: "a.onnx" }, b: { onnx: "b.onnx", maxConstraints: 2 ** 28 } } });
      expect(errors).to.deep.equal([]);
      expect([config.maxConstraints, config.models.a.maxConstraints, config.models.b.maxConstraints]).to.deep.equal([1_000_000, 1_000_000, 2 ** 28]);
      expect(resolveUntyped({ maxConstraints: 0 }).errors).to.deep.equal(["zkml.maxConstraints must be an integer from 1 to 268435456, got 0"]);
      expect(resolveUntyped({ models: { m: { onnx: "m.onnx", maxConstraints: "5M" } } }).errors).to.deep.equal([
        'zkml.models.m.maxConstraints must be an integer from 1 to 268435456, got "5M"',
      ]);
    });

    it("validates a chained model's segments (cuts, a constraint target or a memory budget, with a fixed scale)", () => {
      const ok = resolveUntyped({
        models: { a: { onnx: "a.onnx", scaleBits: 8, segments: { cuts: ["a1"] } }, b: { onnx: "b.onnx", scaleBits: 8, segments: { maxConstraints: 500 } }, c: { onnx: "c.onnx", scaleBits: 8, segments: { maxMemoryMiB: 4096 } } },
      });
      expect(ok.errors).to.deep.equal([]);
      expect([ok.config.models.a.segments, ok.config.models.b.segments, ok.config.models.c.segments]).to.deep.equal([{ cuts: ["a1"] }, { maxConstraints: 500 }, { maxMemoryMiB: 4096 }]);
      // 4 GiB at mnist_gan's measured 3.5 KiB per constraint.
      expect(segmentConstraintLimit({ maxMemoryMiB: 4096 })).to.equal(Math.floor((4096 * 2 ** 20) / BYTES_PER_CONSTRAINT));
      const salted = resolveUntyped({ models: { s: { onnx: "s.onnx", scaleBits: 8, segments: { maxMemoryMiB: 1024, saltedLinks: true } } } });
      expect(salted.config.models.s.segments).to.deep.equal({ maxMemoryMiB: 1024, saltedLinks: true });
      const shape = 'zkml.models.m.segments must be { cuts: ["<tensor>", ...] }, { maxConstraints: <positive integer> } or { maxMemoryMiB: <positive integer> }, with saltedLinks: true or false if given';
      for (const bad of [{}, { cuts: [] }, { maxConstraints: 0 }, { maxMemoryMiB: 1.5 }, { cuts: ["a"], maxConstraints: 5 }, { maxConstraints: 5, maxMemoryMiB: 5 }, { saltedLinks: true }, { cuts: ["a"], saltedLinks: "yes" }, { size: 3 }, "a1"])
        expect(resolveUntyped({ models: { m: { onnx: "m.onnx", scaleBits: 8, segments: bad } } }).errors).to.deep.equal([shape]);
      expect(resolveUntyped({ models: { m: { onnx: "m.onnx", segments: { cuts: ["a1"] } } } }).errors).to.deep.equal(["zkml.models.m.segments needs a fixed scaleBits (every segment is quantized at it)"]);
    });

    it("takes a model's inputUnsigned and widthMargin (issue 21), and refuses other types or a margin below 1", () => {
      const { config, errors } = resolveUntyped({ models: { m: { onnx: "m.onnx", inputUnsigned: true, widthMargin: 1.5 } } });
      expect(errors).to.deep.equal([]);
      expect([config.models.m.inputUnsigned, config.models.m.widthMargin]).to.deep.equal([true, 1.5]);
      expect(resolveUntyped({ models: { m: { onnx: "m.onnx", inputUnsigned: "yes", widthMargin: 0.5 } } }).errors).to.deep.equal([
        'zkml.models.m.inputUnsigned must be true or false, got "yes"',
        "zkml.models.m.widthMargin must be a number from 1 to 1024 (a factor on the largest value calibration sees), got 0.5",
      ]);
    });

    it("reports a model without an onnx path", () => {
      expect(resolveUntyped({ models: { m: {} } }).errors).to.deep.equal(["zkml.models.m.onnx is required"]);
      expect(resolveUntyped({ models: { m: { scaleBits: 8 } } }).errors).to.deep.equal(["zkml.models.m.onnx is required"]);
    });

    it("reports an empty onnx path", () => {
      expect(resolveUntyped({ models: { m: { onnx: "" } } }).errors).to.deep.equal(["zkml.models.m.onnx must be a non-empty string"]);
    });

    it("reports a model that is not an object", () => {
      expect(resolveUntyped({ models: { m: "m.onnx" } }).errors).to.deep.equal(['zkml.models.m must be an object with an "onnx" path']);
      expect(resolveUntyped({ models: { m: null } }).errors).to.deep.equal(['zkml.models.m must be an object with an "onnx" path']);
    });

    it("reports models that is not an object", () => {
      const msg = "zkml.models must be an object mapping model names to { onnx: ... }";
      expect(resolveUntyped({ models: null }).errors).to.deep.equal([msg]);
      expect(resolveUntyped({ models: 5 }).errors).to.deep.equal([msg]);
      expect(resolveUntyped({ models: [{ onnx: "a.onnx" }] }).errors).to.deep.equal([msg]);
    });

    it("reports unknown top-level settings and non-string paths without throwing", () => {
      expect(resolveUntyped({ scalebits: 10 }).errors).to.deep.equal([
        'zkml: unknown setting "scalebits" (known: models, scaleBits, inputBits, buildDir, verifiersDir, ptau, prover, maxConstraints)',
      ]);
      expect(resolveUntyped({ models: { m: { onnx: 5 } } }).errors).to.deep.equal(["zkml.models.m.onnx must be a non-empty string"]);
      expect(resolveUntyped({ ptau: {} }).errors).to.deep.equal(["zkml.ptau must be a non-empty string"]);
    });

    it("reports model names that are not identifiers", () => {
      const { errors } = resolveUntyped({ models: { "my model": { onnx: "a.onnx" }, "ok_name-2": { onnx: "b.onnx" } } });
      expect(errors).to.deep.equal(['zkml.models.my model: model names may contain only letters, digits, "_" and "-"']);
    });

    it("reports an empty directory setting", () => {
      expect(resolveUntyped({ buildDir: "" }).errors).to.deep.equal(["zkml.buildDir must be a non-empty string"]);
    });

    it("collects every problem instead of stopping at the first", () => {
      const { errors } = resolveUntyped({
        scaleBits: 0,
        models: { a: { onnx: "a.onnx", extra: 1 }, b: {}, "c d": { onnx: "c.onnx", inputBits: 999 } },
      });
      expect(errors).to.have.members([
        "zkml.scaleBits must be an integer from 1 to 32, got 0",
        'zkml.models.a: unknown setting "extra"',
        "zkml.models.b.onnx is required",
        'zkml.models.c d: model names may contain only letters, digits, "_" and "-"',
        "zkml.models.c d.inputBits must be an integer from 2 to 128, got 999",
      ]);
      expect(errors).to.have.length(5);
    });
  });
});

describe("resolveZkmlConfig: bound public inputs", () => {
  it("accepts distinct lowerCamelCase names and reports anything else", () => {
    expect(resolveZkmlConfig({ models: { m: { onnx: "m.onnx", bind: ["recipient", "epoch"] } } }, "/r").config.models.m.bind).to.deep.equal(["recipient", "epoch"]);
    for (const bad of [["Recipient"], ["a b"], ["x", "x"], "recipient", [5]]) {
      const { errors } = resolveZkmlConfig({ models: { m: { onnx: "m.onnx", bind: bad as unknown as string[] } } }, "/r");
      expect(errors, JSON.stringify(bad)).to.deep.equal(['zkml.models.m.bind must be a list of distinct lowerCamelCase names, e.g. ["recipient"]']);
    }
  });
});

describe("resolveZkmlConfig: visibility", () => {
  const resolve = (visibility: unknown) => resolveZkmlConfig({ models: { m: { onnx: "m.onnx", visibility } } } as never, "/r");

  it("defaults to public inputs and outputs with fixed parameters, and fills in what a model leaves out", () => {
    expect(resolve(undefined).config.models.m.visibility).to.deep.equal({ input: "public", params: "fixed", output: "public", inputSalt: false });
    expect(resolve({ params: "private" }).config.models.m.visibility).to.deep.equal({ input: "public", params: "private", output: "public", inputSalt: false });
    expect(resolve({ input: "hashed", inputSalt: true, output: "hashed" }).config.models.m.visibility).to.deep.equal({ input: "hashed", params: "fixed", output: "hashed", inputSalt: true });
  });

  it("reports each bad choice with the accepted values", () => {
    expect(resolve({ input: "secret" }).errors).to.deep.equal(['zkml.models.m.visibility.input must be one of "public", "private", "hashed", "seeded", got "secret"']);
    expect(resolve({ params: "public" }).errors).to.deep.equal(['zkml.models.m.visibility.params must be one of "fixed", "private", got "public"']);
    expect(resolve({ output: "private" }).errors).to.deep.equal(['zkml.models.m.visibility.output must be one of "public", "hashed", "fingerprint", got "private"']);
    expect(resolve({ inputs: "private" }).errors).to.deep.equal(['zkml.models.m.visibility: unknown setting "inputs" (known: input, params, output, inputSalt)']);
    expect(resolve("private").errors).to.deep.equal(['zkml.models.m.visibility must be an object like { input: "private", params: "fixed", output: "public" }']);
  });

  it("accepts a circuit body and a calibration sample count, and reports bad ones", () => {
    const one = (m: object) => resolveZkmlConfig({ models: { m: { onnx: "m.onnx", ...m } } } as never, ROOT);
    expect(one({ body: "direct", calibrationSamples: 20 }).config.models.m).to.include({ body: "direct", calibrationSamples: 20 });
    expect(one({ body: "native" }).errors).to.deep.equal(['zkml.models.m.body must be "circom" or "direct", got "native"']);
    expect(one({ calibrationSamples: 0 }).errors).to.have.length(1);
    expect(one({ calibrationSamples: 0 }).errors[0]).to.match(/calibrationSamples/);
  });

  it("only salts a hashed input", () => {
    expect(resolve({ input: "private", inputSalt: true }).errors).to.deep.equal(['zkml.models.m.visibility.inputSalt needs input: "hashed" (only a commitment has a salt)']);
    expect(resolve({ input: "hashed", inputSalt: "yes" }).errors).to.deep.equal(["zkml.models.m.visibility.inputSalt must be true or false"]);
  });
});

describe("resolveZkmlConfig: the proving system", () => {
  it("defaults to the native prover, which is a name in PROVING_SYSTEMS", () => {
    expect(DEFAULT_PROVER).to.equal("native");
    expect(resolveZkmlConfig(undefined, ROOT).config.prover).to.equal("native");
    expect(Object.keys(PROVING_SYSTEMS)).to.include(DEFAULT_PROVER);
  });

  it("accepts every registered prover by name", () => {
    for (const name of Object.keys(PROVING_SYSTEMS)) {
      const { config, errors } = resolveZkmlConfig({ prover: name }, ROOT);
      expect(errors).to.deep.equal([]);
      expect(config.prover).to.equal(name);
    }
  });

  it("reports an unknown prover in one line naming the available ones", () => {
    const names = Object.keys(PROVING_SYSTEMS).map((n) => `"${n}"`).join(", ");
    for (const bad of ["rapidsnark", "Native", "Snarkjs", "", "toString", 5, null]) {
      const { config, errors } = resolveUntyped({ prover: bad });
      expect(errors, JSON.stringify(bad)).to.deep.equal([`zkml.prover must be one of ${names}, got ${JSON.stringify(bad)}`]);
      expect(config.prover).to.equal(DEFAULT_PROVER);
    }
  });
});
