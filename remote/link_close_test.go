package remote

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A node that stops while a peer still sends to it gets its last frames to that peer all the
// same: the link is closed with a FIN after them, and the node waits (a second at most) for
// the peer's end, rather than closing at once, which with the peer's data unread makes the
// kernel reset the connection and drop what it had not sent yet.
func TestStopDeliversLastFramesToABusyPeer(t *testing.T) {
	p := newLinkPair(t)
	peer, err := net.Dial("tcp", p.a.addr)
	require.NoError(t, err)
	defer peer.Close()
	far := p.far(t)

	// The peer sends for as long as it can, so that data of its waits unread at the node.
	frame := binary.BigEndian.AppendUint32(nil, uint32(2+len(p.collector.Id)+16<<10))
	frame = append(frame, frameData, byte(len(p.collector.Id)))
	frame = append(frame, p.collector.Id...)
	frame = append(frame, make([]byte, 16<<10)...)
	sending := make(chan struct{})
	go func() {
		defer close(sending)
		for {
			if _, err := peer.Write(frame); err != nil {
				return
			}
		}
	}()
	// The node's last words: 4 MiB, then a marker, queued as it stops.
	for range 64 {
		require.NoError(t, far.sendData("x", make([]byte, 64<<10), nil))
	}
	marker := []byte("the last frame")
	require.NoError(t, far.sendData("x", marker, nil))
	stopped := make(chan struct{})
	go func() { p.a.stop(); close(stopped) }()

	got, err := io.ReadAll(peer) // until the node's end
	require.NoError(t, err, "read %d bytes", len(got))
	require.True(t, bytes.HasSuffix(got, marker), "the last frame did not arrive (%d bytes read)", len(got))
	peer.Close()
	<-sending
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("stop did not return")
	}
}
