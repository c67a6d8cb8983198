// Package schema is the vocabulary that stage kinds and adapters declare
// themselves in: value types (Type, ParseType), fields with their defaults,
// enums and bounds (Field, Bound), stage outputs, the port names, the
// stage-kind descriptor (StageKind) and the adapter config descriptor
// (AdapterSchema), and the shape of a built-in manifest.
//
// It is pure data on the lowest floor of the module: it imports nothing
// else of cookbookc, so adapters (adapters/...) and stage kinds (stdlib/...)
// can declare their schemas beside their code without importing the
// compiler, and the compiler checks recipes against a catalog assembled
// from those declarations (compiler/catalog). SPEC.md §4 names the types
// and §5 lists the stage kinds.
package schema
