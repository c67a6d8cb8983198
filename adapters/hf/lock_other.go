//go:build !unix

package hf

import "context"

// lockFile is a no-op where flock does not exist: the atomic renames
// alone keep the cache consistent (formats.md §1.6).
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	return func() {}, ctx.Err()
}
