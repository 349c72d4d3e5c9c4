package wire_test

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/actornet/actornet/remote/wire"
)

// A wire message is plain protobuf: what protoactor's remote marshals between nodes.
func Example() {
	b, _ := proto.Marshal(&wire.Write{Data: []byte("hello"), Id: 7})
	var w wire.Write
	_ = proto.Unmarshal(b, &w)
	fmt.Printf("%s %d %s\n", w.Data, w.Id, proto.MessageName(&w))
	// Output: hello 7 actornet.wire.Write
}
