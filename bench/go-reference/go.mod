module mgwbench/goreference

go 1.19
