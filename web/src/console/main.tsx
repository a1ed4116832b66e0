import { mount } from "../shared/mount";
import { App } from "./app";

mount(App);
