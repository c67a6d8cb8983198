// Command tinker-fake is a TEST TOOL: it serves the tinkerfake test fake
// of the Tinker training service as a standalone process, for CLI tests
// and manual runs of `cookbookc run --manifest prod` without the network.
// It trains nothing; its answers are deterministic stand-ins.
//
//	TINKER_API_KEY=tml-anything go run ./adapters/tinker/cmd/tinker-fake -addr 127.0.0.1:0
//
// It prints one line, TINKER_BASE_URL=<url>, then serves until
// interrupted. The credential it accepts is read from TINKER_API_KEY and
// never printed.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cookbookc/cookbookc/adapters/tinker/tinkerfake"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only for tests)")
	urlFile := flag.String("url-file", "", "also write the base URL to this file (atomically)")
	latency := flag.Duration("latency", 0, "latency added to every request")
	optim := flag.Duration("optim-compute", 0, "compute time of each optimizer step")
	fwdbwd := flag.Duration("fwdbwd-compute", 0, "compute time of each forward/backward chunk")
	pollHold := flag.Duration("poll-hold", time.Second, "how long retrieve_future long-polls")
	proto := flag.Bool("proto", false, "set the proto_write_fwdbwd flag")
	compress := flag.Bool("compress", false, "set the proto_compress_fwdbwd flag")
	jwt := flag.Bool("jwt", false, "set pjwt_auth_enabled (JWT exchange)")
	viaLoad := flag.Bool("create-via-load", false, "set create_model_via_load_weights")
	faults := flag.String("faults", "", "faults to inject: kind:endpoint:every[,...], e.g. 500:forward_backward:3,drop:optim_step:4")
	tokenizer := flag.String("tokenizer", "", "tokenizer id get_info reports (default: the model's own repository, as the service does; "+tinkerfake.ByteLevel+" needs no download)")
	flag.Parse()

	key := os.Getenv("TINKER_API_KEY")
	if key == "" {
		fmt.Fprintln(os.Stderr, "tinker-fake: set TINKER_API_KEY to the credential the fake should accept")
		os.Exit(2)
	}
	rules, err := parseFaults(*faults)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tinker-fake:", err)
		os.Exit(2)
	}
	srv := tinkerfake.New(tinkerfake.Options{
		APIKey: key, Latency: *latency, OptimCompute: *optim, ForwardBackwardCompute: *fwdbwd,
		PollHold: *pollHold, Proto: *proto, Compress: *compress, JWT: *jwt, CreateViaLoad: *viaLoad, Faults: rules,
		TokenizerID: *tokenizer,
	})
	url, err := srv.Listen(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tinker-fake:", err)
		os.Exit(1)
	}
	if *urlFile != "" {
		if err := atomicfile.Write(*urlFile, []byte(url+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "tinker-fake:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("TINKER_BASE_URL=%s\n", url)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	srv.Close()
}

// parseFaults reads "kind:endpoint:every" rules; every defaults to 1.
func parseFaults(s string) ([]tinkerfake.FaultRule, error) {
	var out []tinkerfake.FaultRule
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		parts := strings.Split(item, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, fmt.Errorf("fault %q: want kind:endpoint[:every]", item)
		}
		r := tinkerfake.FaultRule{Kind: tinkerfake.FaultKind(parts[0]), Path: parts[1], Every: 1,
			RetryAfter: 10 * time.Millisecond, Delay: 2 * time.Second, TryAgain: 2}
		switch r.Kind {
		case tinkerfake.Fault500, tinkerfake.Fault429, tinkerfake.FaultDrop, tinkerfake.FaultSlow,
			tinkerfake.FaultEdge400, tinkerfake.Fault402, tinkerfake.FaultTryAgain, tinkerfake.FaultExpire:
		default:
			return nil, fmt.Errorf("fault %q: unknown kind %q", item, parts[0])
		}
		if len(parts) == 3 {
			n, err := strconv.Atoi(parts[2])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("fault %q: every must be a positive integer", item)
			}
			r.Every = n
		}
		out = append(out, r)
	}
	return out, nil
}
