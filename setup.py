"""Build of the compiled media kernels (sharppower/measures/media/_kernels.pyx, Cython to
C++); everything else is declared in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension("sharppower.measures.media._kernels", ["sharppower/measures/media/_kernels.pyx"],
               language="c++", extra_compile_args=["-O3"])],
    compiler_directives={"language_level": 3}))
