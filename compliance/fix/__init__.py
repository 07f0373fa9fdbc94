"""`modelcheck fix`: turn the findings a rule marks as automatic into file edits.

plan.py decides what to change from the findings and each rule's `autofix:`;
front_matter.py and text_edits.py compute new file contents; diff.py shows them;
apply.py writes them (temp file + rename, inside the repo, never through a symlink).
"""
