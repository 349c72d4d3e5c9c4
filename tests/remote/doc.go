// Package remote holds tests only. They run actornet across nodes as it runs in production:
// each node a process of its own (this test binary run again as a child, one protoactor
// remote per process), real TCP on 127.0.0.1, and the tests as the TCP peers and as the
// hand that kills (SIGKILL) or freezes (SIGSTOP) a node. They cover echo integrity, a slow
// remote owner's memory on both nodes, the loss of either node, an unreachable node and
// unknown messages.
package remote
