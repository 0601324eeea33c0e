// The component layer: Preact's h() through htm's tagged templates, so components are plain ES
// modules the browser loads as they are (see app.js for why).
import { h, render, Fragment, createContext } from '/assets/vendor/preact.mjs';
import { useState, useEffect, useRef, useMemo, useCallback, useContext } from '/assets/vendor/hooks.mjs';
import htm from '/assets/vendor/htm.mjs';

export const html = htm.bind(h);
export { h, render, Fragment, createContext, useState, useEffect, useRef, useMemo, useCallback, useContext };
