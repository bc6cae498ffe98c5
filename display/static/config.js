// The page's configuration, as the server rendered it into <script id="hallq-config">
// (display/__init__.py page_config: the hall's public shape, the voice, the timings).

export var config = JSON.parse(document.getElementById("hallq-config").textContent);
