package testkit

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// DNS is a DNS server on 127.0.0.1 (UDP) for one test, and a resolver that asks it alone:
// it answers every A query with Answer, every other query with no record, or, when Answer
// is nil, never answers at all (a resolver that hangs). Queries counts what it was asked.
type DNS struct {
	Resolver *net.Resolver
	Answer   net.IP
	Queries  atomic.Int32
}

// NewDNS starts a DNS server answering A queries with answer (nil: never answering) until
// the test ends.
func NewDNS(t testing.TB, answer net.IP) *DNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	d := &DNS{Answer: answer.To4()}
	addr := pc.LocalAddr().String()
	// Go's resolver does not stop reading when its context is cancelled (only at a deadline,
	// or its own timeout seconds later): the connection closes with the context, so that
	// no lookup outlives its test.
	d.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dialer net.Dialer
		c, err := dialer.DialContext(ctx, "udp", addr)
		if err == nil {
			context.AfterFunc(ctx, func() { _ = c.Close() })
		}
		return c, err
	}}
	done := make(chan struct{})
	t.Cleanup(func() { _ = pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				continue
			}
			d.Queries.Add(1)
			if d.Answer == nil {
				continue
			}
			if reply := d.reply(buf[:n]); reply != nil {
				_, _ = pc.WriteTo(reply, from)
			}
		}
	}()
	return d
}

// reply answers query (RFC 1035 §4.1): its header and question back, with an A record
// naming the question (a compression pointer to it) when it asked for one.
func (d *DNS) reply(query []byte) []byte {
	const header = 12
	end := header
	for end < len(query) && query[end] != 0 { // the question's name, label by label
		end += 1 + int(query[end])
	}
	end += 1 + 4 // the root label, then type and class
	if len(query) < header || end > len(query) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(query[end-4:])
	reply := append([]byte(nil), query[:end]...)
	binary.BigEndian.PutUint16(reply[2:], 0x8180|binary.BigEndian.Uint16(query[2:])&0x0100) // a response, RD kept, RA
	binary.BigEndian.PutUint16(reply[4:], 1)                                                // one question
	binary.BigEndian.PutUint32(reply[8:], 0)                                                // no authority, no additional
	if qtype != 1 {
		binary.BigEndian.PutUint16(reply[6:], 0)
		return reply
	}
	binary.BigEndian.PutUint16(reply[6:], 1)
	reply = append(reply, 0xc0, header, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4) // name, A, IN, TTL 60, 4 bytes
	return append(reply, d.Answer...)
}
