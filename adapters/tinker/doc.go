// Package tinker implements the training_client and sampling_client ports
// on the remote Tinker training service (the adapters named "tinker",
// bound by the built-in `prod` manifest). The wire facts come from
// ../shared/reference/tinker-protocol.md; SPEC.md §14 is the user-facing
// description.
//
// # Configuration
//
// Config fields (port config blocks) and the environment variables they
// default to:
//
//	base_url         TINKER_BASE_URL    service root; default DefaultBaseURL
//	api_key          TINKER_API_KEY     "tml-..." key or "eyJ..." JWT (sensitive: env() only)
//	credential_cmd   TINKER_CREDENTIAL_CMD  shell command printing a credential (output cached 60 s)
//	project_id       TINKER_PROJECT_ID
//	tags             TINKER_TAGS        comma-separated in the environment
//	wire_format      auto | json | proto   forward_backward encoding (auto: the service's proto_write_fwdbwd flag)
//	request_timeout  60   seconds per submit request
//	retry_budget     300  seconds of retrying before a request is given up
//	connect_timeout  30   seconds of retrying a service that has never answered
//
// The credential is never logged, written, echoed or put in an error:
// server messages are passed through a redactor that removes the key and
// every JWT obtained, and no error carries request headers.
//
// # Protocol
//
// On first use the adapter asks /client/config for the service's flags,
// exchanges the key for a JWT at /auth/token when pjwt_auth_enabled is set
// (refreshed 300 s before exp), creates a session (/create_session) and
// sends /session_heartbeat every 10 s until Close. create_model sends the
// LoRA config; get_info's tokenizer_id becomes ModelInfo.TokenizerID.
// forward_backward goes as JSON or as hand-encoded protobuf (package wire),
// zstd-compressed when proto_compress_fwdbwd is set; forward-only is
// /forward on JSON services and forward_only=true on protobuf ones.
// optim_step sends all six Adam parameters. save_weights,
// save_weights_for_sampler (named, or unnamed with a
// sampling_session_seq_id for TrainingClient.Sampler), load_weights with
// or without optimizer state, weights_info, create-via-load (flag
// create_model_via_load_weights), get_server_capabilities,
// create_sampling_session, asample, unload_model and checkpoint listing
// (Trainer.ListCheckpoints) are supported. Optional fields that have no
// value are omitted, never sent as null.
//
// # Ordering, pipelining and idempotency
//
// Each call of a TrainingClient reserves its seq_ids at once, in program
// order, from 1, never skipping one; a forward_backward batch larger than
// fwdbwd_max_chunk_len datums (1024) or fwdbwd_max_chunk_bytes_count
// estimated bytes (5 MB) is split into chunks with consecutive seq_ids and
// the outputs are merged (loss:sum added, :mean weighted by datums). One
// goroutine per model submits the requests strictly in order; a call
// returns a Future as soon as its request is queued and the result is
// polled concurrently, so a caller can submit forward_backward and
// optim_step back to back and submit batch k+1 before awaiting batch k.
//
// Every non-GET request carries an X-Idempotency-Key generated once and
// re-sent, with identical bytes and the same seq_id, on every retry. If a
// request cannot be submitted at all, the model's later requests fail
// without being sent (the service would wait for the missing seq_id).
//
// # Retries
//
// One RetryPolicy (retry.go) governs submits and polls. Submits retry
// connection errors, timeouts, 408, 409, 429, 5xx and the empty 400 of an
// edge proxy, waiting retry-after-ms / retry-after when the service gives
// 0 < value <= 60 s, else min(0.5 s * 2^n, 10 s) less up to 25 % jitter.
// Until the service has answered once, retries end connect_timeout after
// the first attempt (and each attempt's timeout is cut to fit), so an
// unreachable or silent service fails in about 30 s; attempts without a
// connection (refused, unreachable) stop after 8 in a row at any time, an
// unknown host after 3. Once the service has answered, failures are
// retried until retry_budget of consecutive failures is spent. Every
// retry is logged as a warning with its delay, attempt, deadline and
// cause, so the run display shows it. 402 pauses 5 s at a time up to the
// service's billing_exception_max_pause_duration_sec, on submits and polls
// alike. A named save whose retry gets 409 took effect on an earlier
// attempt and returns its path. Other 4xx answers fail at once with the
// service's message. Polls of
// /retrieve_future re-poll on try_again (honouring retry_after_ms), fetch
// oversized results after complete_metadata within the
// inflight_response_bytes budget, re-poll on 408, back off on 5xx, 429 and
// connection errors under the same policy, tolerate three 400s, and
// report {"error", "category"} answers as *RequestFailedError. On 410
// (future expired) a training request is re-sent unchanged (same seq_id
// and key), so a service that honours the key returns the existing result
// and one that does not rejects the duplicate: it is never applied twice.
// A sample request is re-submitted with a new seq_id (up to 4 attempts)
// unless sample_no_retries is set. Every wait ends when the context is
// cancelled.
//
// # Not supported
//
// Image, image-pointer and audio chunks; sparse tensors; 2-D soft-target
// cross_entropy inputs are sent as given (shape) but not produced by our
// stages; parallel_fwdbwd_chunks (chunks are sent in order); the
// fwdbwd in-flight bytes budget (one request is in flight per model);
// telemetry; /client/dynamic_config; checkpoint publish, TTL changes,
// deletion and archive download; Cloudflare Access headers.
package tinker
