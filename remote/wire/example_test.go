package wire_test

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/actornet/actornet/remote/wire"
)

// A wire message is plain protobuf: what protoactor's remote and a link marshal between
// nodes.
func Example() {
	b, _ := proto.Marshal(&wire.End{Data: []byte("bye")})
	var w wire.End
	_ = proto.Unmarshal(b, &w)
	fmt.Printf("%s %s\n", w.Data, proto.MessageName(&w))
	// Output: bye actornet.wire.End
}
