package actors_test

import (
	"bufio"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// frames reads DataEvents until EndEvent and returns their data.
func frames(t *testing.T, p *probe) []string {
	t.Helper()
	var got []string
	for {
		switch ev := p.next().(type) {
		case *messages.DataEvent:
			got = append(got, string(ev.Data))
			ev.Lease.Release()
		case *messages.EndEvent:
			return got
		default:
			t.Fatalf("got %T, want DataEvent or EndEvent", ev)
		}
	}
}

// Lines, whatever the reads: several in one read, one over several reads, the last without
// its newline at the peer's end; with and without lent read buffers.
func TestFramingLines(t *testing.T) {
	for _, lend := range []bool{false, true} {
		e := newEnv(t)
		ln, port := rawListener(t)
		p := e.probe()
		e.client(p, actors.SocketConfig{LendReads: lend, Framing: &actors.Framing{Split: bufio.ScanLines}}, port)
		peer := acceptOne(t, ln)
		expect[*messages.ConnectEvent](p)
		for _, part := range []string{"one\ntwo\nthr", "ee", "\r\nfour\n", "\nfive"} {
			_, err := peer.Write([]byte(part))
			require.NoError(t, err)
		}
		require.NoError(t, peer.CloseWrite())
		assert.Equal(t, []string{"one", "two", "three", "four", "", "five"}, frames(t, p), "LendReads %v", lend)
	}
}

// Length-prefixed frames, of every size from 0 to 300 bytes, in one stream cut anywhere.
func TestFramingLengthPrefixed(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	e.client(p, actors.SocketConfig{Framing: &actors.Framing{Split: actors.SplitLengthPrefixed(2)}}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	var stream []byte
	var want []string
	for n := range 300 {
		frame := make([]byte, n)
		for i := range frame {
			frame[i] = byte('a' + (n+i)%26)
		}
		stream = binary.BigEndian.AppendUint16(stream, uint16(n))
		stream = append(stream, frame...)
		want = append(want, string(frame))
	}
	for off := 0; off < len(stream); off += 777 { // cuts that fall anywhere in a frame
		_, err := peer.Write(stream[off:min(off+777, len(stream))])
		require.NoError(t, err)
	}
	require.NoError(t, peer.CloseWrite())
	assert.Equal(t, want, frames(t, p))
}

// A peer that sends more than MaxFrame without completing a frame fails the socket with
// ErrFrameTooLarge; one whose data the split function rejects, with ErrBadFrame.
func TestFramingBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		split bufio.SplitFunc
		send  string
		want  error
	}{
		{"too large", bufio.ScanLines, "a line that never ends, longer than sixteen bytes", actors.ErrFrameTooLarge},
		{"cut at the end", actors.SplitLengthPrefixed(4), "\x00\x00\x00\x09short", actors.ErrBadFrame},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ln, port := rawListener(t)
			p := e.probe()
			e.client(p, actors.SocketConfig{Framing: &actors.Framing{Split: tc.split, MaxFrame: 16}}, port)
			peer := acceptOne(t, ln)
			expect[*messages.ConnectEvent](p)
			_, err := peer.Write([]byte(tc.send))
			require.NoError(t, err)
			require.NoError(t, peer.CloseWrite())
			assert.ErrorIs(t, skipTo[*messages.ErrorEvent](p).Err, tc.want)
			assert.True(t, expect[*messages.CloseEvent](p).HadError)
		})
	}
}

// Pause stops frames as it stops reads: what the peer sends after it waits for Resume, and
// comes then, in order.
func TestFramingPause(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	events := make(chan any, 100)
	pid, err := actors.SpawnSocket(e.tree, actors.SocketConfig{Framing: &actors.Framing{Split: bufio.ScanLines},
		Handler: func(ev any) {
			if d, ok := ev.(*messages.DataEvent); ok {
				ev = string(d.Data)
				if string(d.Data) == "pause" {
					e.send(d.Socket, &messages.Pause{}) // after this turn
				}
			}
			events <- ev
		}})
	require.NoError(t, err)
	e.send(pid, &messages.Connect{Port: port, Host: "127.0.0.1"})
	peer := acceptOne(t, ln)
	_, err = peer.Write([]byte("a\npause\n"))
	require.NoError(t, err)
	next := func() any { t.Helper(); return recvConn(t, events) }
	assert.IsType(t, &messages.ConnectEvent{}, next())
	assert.Equal(t, "a", next())
	assert.Equal(t, "pause", next())
	_, err = peer.Write([]byte("b\nc\n"))
	require.NoError(t, err)
	select {
	case ev := <-events:
		t.Fatalf("got %v while paused", ev)
	case <-time.After(100 * time.Millisecond):
	}
	e.send(pid, &messages.Resume{})
	assert.Equal(t, "b", next())
	assert.Equal(t, "c", next())
}
