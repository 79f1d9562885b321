// The diagram's layout engine in a Web Worker. elkjs (1.5 MB of compiled Java) costs the page
// about half a second of main-thread time to evaluate and more to lay out, right when a lab turns
// ready and the terminal wants to paint its first prompt; here it costs the page nothing.
// elk-worker.js sees a worker global (no document) and answers elk-api's messages itself.
import 'elkjs/lib/elk-worker.min.js';
