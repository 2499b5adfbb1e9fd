// kubectl_yaml_oracle converts YAML to JSON the way kubectl does, for the differential
// tests of src/manifest: it cuts a stream into documents at lines that are "---" and
// white space (as k8s.io/apimachinery's YAMLReader does, which Debian does not
// package) and converts each with sigs.k8s.io/yaml's YAMLToJSON, the function kubectl
// uses, built from Debian's gocode tree.
//
// A stream whose first non-space byte is '{' is JSON to kubectl
// (k8s.io/apimachinery's YAMLOrJSONDecoder): it is read as a series of JSON values
// with encoding/json and decoded as apimachinery's unstructured JSON decoder does
// (integers stay int64, other numbers become float64, so 1e999 is refused).
//
// Input on stdin: records, each "<byte count>\n<bytes>". Output per record: one line per
// document, "ok <json>" or "error <message on one line>", then "end".
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// isSeparator reports whether line (with its line break) is "---" and white space only.
func isSeparator(line []byte) bool {
	return bytes.HasPrefix(line, []byte("---")) && len(bytes.TrimSpace(line[3:])) == 0
}

// split cuts stream into the documents kubectl would convert one by one.
func split(stream []byte) [][]byte {
	var docs [][]byte
	var current []byte
	for len(stream) > 0 {
		end := bytes.IndexByte(stream, '\n') + 1
		if end == 0 {
			end = len(stream)
		}
		line := stream[:end]
		stream = stream[end:]
		if isSeparator(line) {
			if len(current) > 0 {
				docs = append(docs, current)
			}
			current = nil
			continue
		}
		current = append(current, line...)
	}
	if len(current) > 0 {
		docs = append(docs, current)
	}
	return docs
}

// convert writes one result line for doc, catching go-yaml's panics as refusals.
func convert(out *bufio.Writer, doc []byte) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(out, "error panic: %v\n", r)
		}
	}()
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		fmt.Fprintf(out, "error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return
	}
	fmt.Fprintf(out, "ok %s\n", j)
}

// looksLikeJSON is kubectl's test for a JSON stream.
func looksLikeJSON(stream []byte) bool {
	trimmed := bytes.TrimLeft(stream, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// numbers turns each json.Number of v into an int64 or, failing that, a float64.
func numbers(v interface{}) (interface{}, error) {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, nil
		}
		return t.Float64()
	case map[string]interface{}:
		for k, e := range t {
			n, err := numbers(e)
			if err != nil {
				return nil, err
			}
			t[k] = n
		}
	case []interface{}:
		for i, e := range t {
			n, err := numbers(e)
			if err != nil {
				return nil, err
			}
			t[i] = n
		}
	}
	return v, nil
}

// convertJSON writes one result line per JSON value of stream, stopping at an error.
func convertJSON(out *bufio.Writer, stream []byte) {
	dec := json.NewDecoder(bytes.NewReader(stream))
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintf(out, "error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			return
		}
		inner := json.NewDecoder(bytes.NewReader(raw))
		inner.UseNumber()
		var value interface{}
		if err := inner.Decode(&value); err != nil {
			fmt.Fprintf(out, "error %s\n", err)
			return
		}
		value, err = numbers(value)
		if err == nil {
			var j []byte
			j, err = json.Marshal(value)
			if err == nil {
				fmt.Fprintf(out, "ok %s\n", j)
				continue
			}
		}
		fmt.Fprintf(out, "error %s\n", err)
		return
	}
}

func main() {
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		header, err := in.ReadString('\n')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(header))
		if err != nil {
			fmt.Fprintf(os.Stderr, "bad record header %q\n", header)
			os.Exit(2)
		}
		record := make([]byte, n)
		if _, err := io.ReadFull(in, record); err != nil {
			fmt.Fprintf(os.Stderr, "short record: %v\n", err)
			os.Exit(2)
		}
		if looksLikeJSON(record) {
			convertJSON(out, record)
		} else {
			for _, doc := range split(record) {
				convert(out, doc)
			}
		}
		fmt.Fprintln(out, "end")
		out.Flush()
	}
}
