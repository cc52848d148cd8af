package canon

import (
	"crypto/sha256"
	"encoding/hex"
)

// ID returns the archive's id for an article with the given canonical URL:
// the first 16 hexadecimal digits (64 bits) of the SHA-256 of the URL's
// bytes, in lower case.
//
// The mapping is fixed forever: ids are stored, exported and linked to.
// ID hashes its argument exactly as given and does not canonicalise it, so
// that a later change to URL's rules never changes the id of an article
// already filed under its stored canonical URL; pass the result of URL or
// Choose. 64 bits keep the chance of any collision among a billion
// articles below 3%, and among a million below one in ten million.
func ID(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:8])
}
