"""The site build: ``python -m sitebuild --artifacts artifacts --out static`` (sitebuild/cli.py).

build.py assembles the site and runs the steps in order: tfjs.py (TF.js bundled, its version and
licences checked), bundle.py (the page's and the worker's modules), catalogue.py (books.json by
line, the popular books, the catalogue's parts, the first files), manifest.py (the build id,
site.json, sw.js's precache list), precompress.py (brotli and gzip forms). It never imports
TensorFlow, nor model/ beyond model.atomic and model.layout.
"""
