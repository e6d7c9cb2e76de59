/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The Lambase API (local mode: `http://127.0.0.1:4000`). */
  readonly VITE_LAMBASE_URL?: string;
}
