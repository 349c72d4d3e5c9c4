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
