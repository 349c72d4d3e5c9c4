package messages_test

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/messages"
)

func TestAddrOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   net.Addr
		want messages.Addr
		str  string
	}{
		{"ipv4", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 80}, messages.Addr{Address: "127.0.0.1", Family: "IPv4", Port: 80}, "127.0.0.1:80"},
		{"ipv6", &net.TCPAddr{IP: net.ParseIP("::1"), Port: 8080}, messages.Addr{Address: "::1", Family: "IPv6", Port: 8080}, "[::1]:8080"},
		{"nil", nil, messages.Addr{}, ":0"},
		{"not tcp", &net.UDPAddr{IP: net.ParseIP("127.0.0.1"), Port: 53}, messages.Addr{}, ":0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := messages.AddrOf(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.str, got.String())
			assert.Equal(t, tc.want == messages.Addr{}, got.IsZero())
		})
	}
}

// An address seen before is formatted without allocating, and every address, however many
// share a slot of the table, comes out as IP.String formats it.
func TestAddrOfKeepsTexts(t *testing.T) {
	a := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 80}
	messages.AddrOf(a)
	assert.Zero(t, testing.AllocsPerRun(100, func() { messages.AddrOf(a) }))
	for round := range 2 { // the second round finds some slots taken by later addresses
		for i := range 1000 {
			ip := net.IPv4(10, byte(i>>8), byte(i), byte(round))
			assert.Equal(t, ip.String(), messages.AddrOf(&net.TCPAddr{IP: ip}).Address)
			ip6 := net.ParseIP("2001:db8::").To16()
			ip6[14], ip6[15] = byte(i>>8), byte(i)
			assert.Equal(t, ip6.String(), messages.AddrOf(&net.TCPAddr{IP: ip6}).Address)
		}
	}
	bad := net.IP{1, 2, 3}
	assert.Equal(t, bad.String(), messages.AddrOf(&net.TCPAddr{IP: bad}).Address)
}
