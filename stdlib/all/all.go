// Package all imports every stage implementation so that each registers
// itself. Each stage family adds its import in a file of its own here.
package all
