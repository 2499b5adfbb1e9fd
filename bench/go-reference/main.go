// A reference admission webhook in Go's net/http, doing the same per-request work as
// mustgather-webhook's /validate-mustgather (decode the AdmissionReview, check
// storage, claim name, namespace, subPath and the image allowlist, encode the
// answer). With -log it also writes one JSON line per decision to stderr, with the
// fields mustgather-webhook logs, so the two can be compared doing the same work.
// It exists only so `make bench` can compare the C++ server against the usual way
// webhooks are written; it is not part of the product.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
)

var dns1123 = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

type review struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Request    *struct {
		UID       string `json:"uid"`
		Namespace string `json:"namespace"`
		Operation string `json:"operation"`
		DryRun    bool   `json:"dryRun"`
		Kind      struct {
			Kind string `json:"kind"`
		} `json:"kind"`
		UserInfo struct {
			Username string `json:"username"`
		} `json:"userInfo"`
		Object json.RawMessage `json:"object"`
	} `json:"request,omitempty"`
	Response *response `json:"response,omitempty"`
}

type response struct {
	UID     string  `json:"uid"`
	Allowed bool    `json:"allowed"`
	Status  *status `json:"status,omitempty"`
}

type status struct {
	Code    int    `json:"code"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

type mustGather struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		MustGatherImage string   `json:"mustGatherImage"`
		Images          []string `json:"images"`
		Storage         *struct {
			Type             string `json:"type"`
			PersistentVolume *struct {
				Claim *struct {
					Name      string `json:"name"`
					Namespace string `json:"namespace"`
				} `json:"claim"`
				SubPath string `json:"subPath"`
			} `json:"persistentVolume"`
		} `json:"storage"`
	} `json:"spec"`
}

// normalize gives the docker.io defaults the C++ side applies (tag and library/).
func normalize(ref string) string {
	name, rest := ref, ""
	if i := strings.IndexAny(ref, "@"); i >= 0 {
		name, rest = ref[:i], ref[i:]
	}
	slash := strings.Index(name, "/")
	if slash < 0 || !strings.ContainsAny(name[:slash], ".:") && name[:slash] != "localhost" {
		if slash < 0 {
			name = "library/" + name
		}
		name = "docker.io/" + name
	}
	if rest == "" && !strings.Contains(name[strings.LastIndex(name, "/")+1:], ":") {
		name += ":latest"
	}
	return name + rest
}

func check(mg *mustGather, ns string, allow map[string]bool, def string) []string {
	var errs []string
	if mg.Metadata.Namespace != "" {
		ns = mg.Metadata.Namespace
	}
	s := mg.Spec.Storage
	switch {
	case s == nil:
		errs = append(errs, "spec.storage: Required value")
	case s.Type != "" && s.Type != "PersistentVolume":
		errs = append(errs, "spec.storage.type: Unsupported value")
	}
	if s != nil {
		pv := s.PersistentVolume
		if pv == nil || pv.Claim == nil || pv.Claim.Name == "" {
			errs = append(errs, "spec.storage.persistentVolume.claim.name: Required value")
		} else {
			if len(pv.Claim.Name) > 253 || !dns1123.MatchString(pv.Claim.Name) {
				errs = append(errs, "spec.storage.persistentVolume.claim.name: Invalid value")
			}
			if pv.Claim.Namespace != "" && pv.Claim.Namespace != ns {
				errs = append(errs, "spec.storage.persistentVolume.claim.namespace: Forbidden")
			}
			if strings.HasPrefix(pv.SubPath, "/") {
				errs = append(errs, "spec.storage.persistentVolume.subPath: Invalid value")
			}
			for _, part := range strings.Split(pv.SubPath, "/") {
				if part == ".." {
					errs = append(errs, "spec.storage.persistentVolume.subPath: Invalid value")
					break
				}
			}
		}
	}
	images := mg.Spec.Images
	if mg.Spec.MustGatherImage != "" {
		images = append([]string{mg.Spec.MustGatherImage}, images...)
	}
	for _, img := range images {
		n := normalize(img)
		if n != def && !allow[n] {
			errs = append(errs, "spec.mustGatherImage: Forbidden: image "+img+" is not in the allowlist")
		}
	}
	return errs
}

func main() {
	listen := flag.String("listen", "127.0.0.1:9444", "address")
	cert := flag.String("tls-cert-file", "", "PEM certificate")
	key := flag.String("tls-key-file", "", "PEM key")
	logDecisions := flag.Bool("log", false, "one JSON line per decision on stderr")
	flag.Parse()
	var logMu sync.Mutex
	allow := map[string]bool{
		normalize("quay.io/my-org/my-custom-must-gather:latest"):        true,
		normalize("registry.example.com/team-a/debug-must-gather:v1.2"): true,
	}
	def := normalize("quay.io/openshift/origin-must-gather:latest")
	http.HandleFunc("/validate-mustgather", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var rv review
		r.Body = http.MaxBytesReader(w, r.Body, 7<<20)
		if err := json.NewDecoder(r.Body).Decode(&rv); err != nil || rv.Request == nil {
			http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
			return
		}
		resp := &response{UID: rv.Request.UID, Allowed: true}
		var mg mustGather
		if err := json.Unmarshal(rv.Request.Object, &mg); err != nil {
			resp.Allowed = false
			resp.Status = &status{Code: 422, Reason: "Invalid", Message: err.Error()}
		} else if errs := check(&mg, rv.Request.Namespace, allow, def); len(errs) > 0 {
			resp.Allowed = false
			resp.Status = &status{Code: 422, Reason: "Invalid", Message: strings.Join(errs, "\n")}
		}
		out := review{APIVersion: rv.APIVersion, Kind: rv.Kind, Response: resp}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(&out)
		if *logDecisions {
			line, _ := json.Marshal(map[string]any{
				"ts": time.Now().UTC().Format(time.RFC3339Nano), "level": "info",
				"msg": "admission review", "uid": rv.Request.UID, "kind": rv.Request.Kind.Kind,
				"namespace": rv.Request.Namespace, "name": mg.Metadata.Name,
				"operation": rv.Request.Operation, "user": rv.Request.UserInfo.Username,
				"dry_run": rv.Request.DryRun, "allowed": resp.Allowed, "http_status": 200,
				"webhook":    "validate-mustgather",
				"latency_ms": float64(time.Since(start).Microseconds()) / 1000,
			})
			logMu.Lock()
			os.Stderr.Write(append(line, '\n'))
			logMu.Unlock()
		}
	})
	// HTTP/1.1 only, like kube-apiserver's webhook client uses with our server.
	srv := &http.Server{TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12},
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){}}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	// bench/run.sh reads the port from this line (":0" lets the kernel pick one).
	log.Printf(`{"https_port":%d}`, ln.Addr().(*net.TCPAddr).Port)
	log.Fatal(srv.ServeTLS(ln, *cert, *key))
}
