package main

import "reflect"

type config struct{ Port int }

// reflectSet: a config loader sets a field through a value it cannot address.
func reflectSet() {
	c := config{}
	v := reflect.ValueOf(c).FieldByName("Port")
	v.SetInt(8080)
}
