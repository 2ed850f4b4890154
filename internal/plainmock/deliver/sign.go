package deliver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Sign is Plain-Request-Signature: the lowercase hex HMAC-SHA256 of the
// raw body, keyed with the workspace's HMAC secret.
func Sign(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}
