"""Progress bars for long loops, silenced with ``progress=False``."""

from collections.abc import Iterable


def progress(iterable: Iterable, *, enable: bool = True, desc: str | None = None, total=None):
    """Wrap ``iterable`` in a tqdm bar when ``enable`` is true, else return it unchanged.

    Parameters
    ----------
    iterable : iterable
    enable : bool, optional, default: True
    desc : str, optional
        Label of the bar.
    total : int, optional
        Length, when ``iterable`` has none.

    Returns
    -------
    iterable

    Examples
    --------
    >>> list(progress(range(3), enable=False))
    [0, 1, 2]
    """
    if not enable:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, leave=False, dynamic_ncols=True)
