package remote

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDecodeFrameNameOf255Bytes: a frame whose name-length byte is 255 is an unknown type,
// not a panic in the link's reader (1+b[0] computed as a byte wrapped to 0: one frame from any
// peer took the node down; helper-12's find).
func TestDecodeFrameNameOf255Bytes(t *testing.T) {
	b := append([]byte{255}, bytes.Repeat([]byte{'a'}, 300)...)
	assert.NotPanics(t, func() {
		_, err := decodeFrame(b)
		assert.Error(t, err)
	})
}
