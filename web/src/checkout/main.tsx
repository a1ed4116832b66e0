import { mount } from "../shared/mount";
import { App } from "./app";
import "./checkout.css";

mount(App);
