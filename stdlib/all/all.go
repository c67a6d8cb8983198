// Package all imports every stage kind so that each registers itself
// (stdlib/stage.Register). Each kind adds its import line in a file of its
// own here, named after the kind.
package all
