package actors

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReadSizesAdapt checks the reader's adaptive read size: small at first, doubling after
// each read that fills its buffer up to the configured maximum, and halving after two reads
// in a row that use under a quarter of it, down to the minimum.
func TestReadSizesAdapt(t *testing.T) {
	r := newReader(nil, DefaultReadBufferSize, new(atomic.Int64))
	assert.Equal(t, minReadSize, r.size, "first read")
	var sizes []int
	for range 6 { // a stream: every read fills its buffer
		r.adapt(r.size)
		sizes = append(sizes, r.size)
	}
	assert.Equal(t, []int{8 << 10, 16 << 10, 32 << 10, 64 << 10, 64 << 10, 64 << 10}, sizes)
	assert.Same(t, bufferPool(64<<10), r.pool, "the pool follows the size")

	r.adapt(100) // one small read is not enough to shrink
	assert.Equal(t, 64<<10, r.size)
	r.adapt(40 << 10) // a read of a normal size resets the count
	r.adapt(100)
	assert.Equal(t, 64<<10, r.size)
	sizes = nil
	for range 10 { // requests and replies: small reads only
		r.adapt(100)
		sizes = append(sizes, r.size)
	}
	assert.Equal(t, []int{32 << 10, 32 << 10, 16 << 10, 16 << 10, 8 << 10, 8 << 10, 4 << 10, 4 << 10, 4 << 10, 4 << 10}, sizes)

	hint := new(atomic.Int64)
	again := newReader(nil, DefaultReadBufferSize, hint) // after a pause, a new reader
	again.adapt(again.size)
	again.adapt(again.size)
	assert.Equal(t, 16<<10, newReader(nil, DefaultReadBufferSize, hint).size,
		"the next reader starts where the last one got to")

	small := newReader(nil, 1024, new(atomic.Int64)) // a maximum under the minimum is the only size
	small.adapt(1024)
	small.adapt(1)
	small.adapt(1)
	assert.Equal(t, 1024, small.size)
}
