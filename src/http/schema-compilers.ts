import { AjvCompiler, type Options as AjvOptions } from "@fastify/ajv-compiler";
import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";
import { schemaErrorCodeKeyword } from "./errors.js";
import { refusingNonFiniteNumbers } from "./finite-numbers.js";

/**
 * When the app compiles its routes' validators and response serializers.
 * - `eager` (what `coffer start` uses): all of them before the app answers, so a bad schema stops the start and no
 *   first request pays for a compile.
 * - `lazy`: each one on the route's first use. Compiling every route costs seconds of CPU; a test file that calls a
 *   handful of routes should not pay for the hundreds it never calls. The compiled functions are the same.
 */
export type SchemaCompilation = "eager" | "lazy";

/**
 * Two validators from Fastify's own Ajv compiler: request bodies are JSON and keep their types exactly (a string
 * "5" is not the integer 5), while querystrings, path parameters and headers arrive as text and are coerced.
 * Unknown properties are errors, never silently dropped; the first error stops validation (allErrors on
 * untrusted input is a denial-of-service risk).
 */
const ajvCompilerPool = AjvCompiler();
const ajvOptions: AjvOptions = {
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  // Errors carry their schema, so a field's x-error-code can choose the error code (see amountSchema).
  verbose: true,
  keywords: [schemaErrorCodeKeyword],
};

type ValidatorFactory = ReturnType<typeof ajvCompilerPool>;
type Validator = ReturnType<ValidatorFactory>;
type SerializerFactory = ReturnType<ReturnType<typeof SerializerSelector>>;

/** Fastify's `ajv` server option is not used: the options above are the whole validator configuration. */
export function validatorFactory(compilation: SchemaCompilation) {
  // Lazily, the shared schemas are not checked against the JSON Schema meta-schema as Ajv takes them in (most of the
  // cost of a new Ajv); the eager start checks them, and a test compiles the app eagerly.
  const options = compilation === "eager" ? ajvOptions : { ...ajvOptions, validateSchema: false };
  return (externalSchemas: Parameters<typeof ajvCompilerPool>[0]) => {
    const strict = once(() => ajvCompilerPool(externalSchemas, { customOptions: { ...options, coerceTypes: false } }));
    const coercing = once(() =>
      ajvCompilerPool(externalSchemas, { customOptions: { ...options, coerceTypes: "array" } }),
    );
    const compile = (route: Parameters<ValidatorFactory>[0]): Validator =>
      route.httpPart === "body" ? strict()(route) : refusingNonFiniteNumbers(coercing()(route));
    return (route: Parameters<ValidatorFactory>[0]): Validator =>
      compilation === "eager" ? compile(route) : lazyValidator(() => compile(route));
  };
}

/** Fastify's own response serializer (fast-json-stringify), compiled when `compilation` says. */
export function serializerFactory(compilation: SchemaCompilation) {
  const fastifyDefault = SerializerSelector();
  return (...factoryArgs: Parameters<typeof fastifyDefault>) => {
    const compile = fastifyDefault(...factoryArgs);
    return (route: Parameters<SerializerFactory>[0]) => {
      if (compilation === "eager") return compile(route);
      let serialize: ReturnType<SerializerFactory> | undefined;
      return (data: unknown) => {
        serialize ??= compile(route);
        return serialize(data);
      };
    };
  };
}

/**
 * A validator compiled on its first call. Fastify reads `errors` off the function it was given right after a call
 * that returned false, so the compiled validator's errors are copied onto the stand-in.
 */
function lazyValidator(compile: () => Validator): Validator {
  let compiled: Validator | undefined;
  const standIn = ((data: unknown) => {
    compiled ??= compile();
    const result = compiled(data);
    standIn.errors = compiled.errors;
    return result;
  }) as Validator;
  return standIn;
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
