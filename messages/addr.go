package messages

import (
	"encoding/binary"
	"net"
	"strconv"
	"sync/atomic"
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
	return Addr{Address: ipText(t.IP), Family: family, Port: t.Port}
}

// ipText formats ip as IP.String does. A server sees the same few addresses again and again
// (its own, and its clients' or their proxy's), and formatting one allocates, so the text of
// each is kept in a small table, one address per slot, the last one seen winning a slot.
func ipText(ip net.IP) string {
	ip16 := ip.To16()
	if ip16 == nil {
		return ip.String()
	}
	var key [16]byte
	copy(key[:], ip16)
	h := (binary.LittleEndian.Uint64(key[:8]) ^ binary.LittleEndian.Uint64(key[8:])) * 0x9e3779b97f4a7c15
	slot := &ipTexts[h>>(64-6)]
	if e := slot.Load(); e != nil && e.ip == key {
		return e.text
	}
	text := ip.String()
	slot.Store(&ipTextEntry{ip: key, text: text})
	return text
}

var ipTexts [1 << 6]atomic.Pointer[ipTextEntry]

type ipTextEntry struct {
	ip   [16]byte
	text string
}

// IsZero reports whether a is the zero Addr.
func (a Addr) IsZero() bool { return a == Addr{} }

// String formats a as host:port, with brackets around an IPv6 address.
func (a Addr) String() string {
	return net.JoinHostPort(a.Address, strconv.Itoa(a.Port))
}
