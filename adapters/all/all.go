// Package all imports every adapter package so that each registers itself.
// Each adapter family adds its import in a file of its own here.
package all
