package messages_test

import (
	"fmt"
	"net"

	"github.com/actornet/actornet/messages"
)

// Events carry addresses the way Node reports them.
func ExampleAddrOf() {
	a := messages.AddrOf(&net.TCPAddr{IP: net.ParseIP("::1"), Port: 7000})
	fmt.Println(a.Address, a.Family, a.Port, a)
	// Output: ::1 IPv6 7000 [::1]:7000
}
