package messages

import (
	"net"
	"strconv"
)

// Addr is a TCP endpoint as Node reports it: an IP address, its family ("IPv4" or "IPv6") and a
// port. The zero Addr means "not known yet".
type Addr struct {
	Address string
	Family  string
	Port    int
}

// AddrOf converts a *net.TCPAddr (or any net.Addr of the same shape) to an Addr.
// It returns the zero Addr for nil or for an address that is not TCP.
func AddrOf(a net.Addr) Addr {
	t, ok := a.(*net.TCPAddr)
	if !ok || t == nil {
		return Addr{}
	}
	family := "IPv6"
	if t.IP.To4() != nil {
		family = "IPv4"
	}
	return Addr{Address: t.IP.String(), Family: family, Port: t.Port}
}

// IsZero reports whether a is the zero Addr.
func (a Addr) IsZero() bool { return a == Addr{} }

// String formats a as host:port, with brackets around an IPv6 address.
func (a Addr) String() string {
	return net.JoinHostPort(a.Address, strconv.Itoa(a.Port))
}
