package remote_test

import (
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/remote"
)

// An owner without LendReads keeps the data of its DataEvents: a small read reaches it in a
// slice of its own size, not in the link's 68 KiB frame buffer, which goes back to the
// link's pool (the owner would otherwise keep a frame buffer per chunk, and the link take a
// new one for each).
func TestRemoteOwnedDataIsItsOwnSize(t *testing.T) {
	n := newProfileNode(t, nil)
	port := n.listen(t, remote.SocketOptions{})
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("hello"))
	require.NoError(t, err)
	ev := next[*messages.DataEvent](t, n)
	assert.Equal(t, "hello", string(ev.Data))
	assert.LessOrEqual(t, cap(ev.Data), 64, "a 5-byte read kept in a %d-byte buffer", cap(ev.Data))
	assert.Nil(t, ev.Lease)
}
